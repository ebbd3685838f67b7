"""hl7apy's strict validation of a message built as ER7 text, at a fraction of its cost.

Building a message element by element with hl7apy takes it tens of milliseconds, almost all of it
spent creating elements. What its strict level checks comes in two parts, and each is checked here
with hl7apy's own schema and types:

* the *structure* (which segments, fields, repetitions, components and subcomponents are present,
  against the 2.5.1 schema's cardinalities): fixed by the message's *shape*, so the first message of
  each shape is parsed and validated in full by hl7apy, and later ones of that shape are not;
* every *value* (a leaf's type and length, which strict building checks as it assigns one): each
  non-empty leaf goes through hl7apy's datatype at the strict level, a few microseconds each.

Tables and ``varies`` (OBX-5) are not checked by strict validation either.
"""

import functools
import threading

from hl7apy import load_reference
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.exceptions import HL7apyException
from hl7apy.factories import datatype_factory
from hl7apy.parser import parse_message

VERSION = "2.5.1"
#: Fields written in a segment: number to ER7 value (repetitions already joined with ``~``).
Fields = dict[int, str]
#: Shapes validated in full, kept up to this many (a VXU has a few dozen).
SHAPES_KEPT = 4096
#: Fields the CDC guide pre-adopts from a later version (MSH-22, the responsible organization): the
#: 2.5.1 schema has none, so they are set aside from its checks.
PRE_ADOPTED = {("MSH", 22)}
_shapes: set = set()
_shapes_lock = threading.Lock()


class Er7Refused(ValueError):
    """A value the 2.5.1 schema does not allow where it stands: says where."""


def er7_segment(name: str, fields: Fields) -> str:
    """A segment in ER7, trailing empty fields dropped; MSH's first two fields are its delimiters."""
    last = max((number for number, value in fields.items() if value), default=0)
    if name == "MSH":
        return "|".join(["MSH", "^~\\&", *(fields.get(number, "") for number in range(3, last + 1))])
    return "|".join([name, *(fields.get(number, "") for number in range(1, last + 1))])


def strictly_validated(er7: str) -> Message:
    """``er7`` parsed and validated by hl7apy at its strict level (raises what hl7apy raises)."""
    message = parse_message(er7, validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)
    message.validate()
    return message


def er7_check(segments: list[tuple[str, Fields]]) -> str:
    """The message of ``segments`` in ER7 (split by ``\\r``), once its values passed hl7apy's
    strict datatypes and its shape hl7apy's strict validation."""
    for name, fields in segments:
        for number, value in fields.items():
            if value and (name, number) not in PRE_ADOPTED:
                reference = _field_reference(name, number)
                for repetition in value.split("~"):
                    _check(reference, repetition, "^&", f"{name}-{number}")
    er7 = "\r".join(er7_segment(name, fields) for name, fields in segments)
    shape = _shape(segments)
    if shape not in _shapes:
        strictly_validated("\r".join(er7_segment(name, {number: value for number, value in fields.items()
                                                          if (name, number) not in PRE_ADOPTED})
                                      for name, fields in segments))
        with _shapes_lock:
            if len(_shapes) >= SHAPES_KEPT:
                _shapes.clear()
            _shapes.add(shape)
    return er7


@functools.cache
def _field_reference(segment: str, number: int):
    return load_reference(f"{segment}_{number}", "Field", VERSION)


def _check(reference, value: str, separators: str, where: str) -> None:
    kind, children, datatype = reference[0], reference[1], reference[2]
    if kind == "leaf":
        if datatype == "varies":
            return
        if any(separator in value for separator in separators):
            raise Er7Refused(f"{where}: {value!r} has parts that its type {datatype} has not")
        try:
            _leaf_check(datatype, value)
        except (HL7apyException, ValueError) as error:  # hl7apy's words (MaxLengthReached ...)
            raise Er7Refused(f"{where}: {error}") from error
        return
    if not separators:
        raise Er7Refused(f"{where}: {value!r} is nested deeper than ER7 allows")
    parts = value.split(separators[0])
    if len(parts) > len(children):
        raise Er7Refused(f"{where}: {value!r} has more parts than its type {datatype} has")
    for index, (child, part) in enumerate(zip(children, parts, strict=False), start=1):
        if part:
            _check(child[1], part, separators[1:], f"{where}.{index}")


@functools.lru_cache(maxsize=65536)  # most values recur: codes, places, lots, people who vaccinate
def _leaf_check(datatype: str, value: str) -> None:
    datatype_factory(datatype, value, VERSION, validation_level=VALIDATION_LEVEL.STRICT)


def _shape(segments: list[tuple[str, Fields]]) -> tuple:
    """What strict structure validation depends on: each segment, and in each non-empty field which
    repetitions, components and subcomponents hold a value."""
    return tuple(
        (name, tuple((number, tuple(tuple(tuple(bool(sub) for sub in component.split("&"))
                                          for component in repetition.split("^"))
                                    for repetition in value.split("~")))
                     for number, value in sorted(fields.items()) if value))
        for name, fields in segments)
