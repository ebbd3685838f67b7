"""Sending an HL7 message over MLLP (the Minimal Lower Layer Protocol) and reading its
acknowledgement.

``mllp_send(message)`` frames the message (``0x0B`` message ``0x1C 0x0D``), connects to
``CVMS_HL7_MLLP_HOST``:``CVMS_HL7_MLLP_PORT``, sends it and reads one framed answer, within
``CVMS_HL7_MLLP_TIMEOUT`` seconds to connect and as many again for the answer. It never raises for
what happens on the way: a refused or dropped connection, a timeout or an answer that is no
acknowledgement of this message come back as an ``MllpResult`` with an ``error`` code, ready to be
stored and retried by whoever sends.
"""

import re
import socket
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message

START, END = b"\x0b", b"\x1c\x0d"
#: An acknowledgement is a few hundred bytes; an answer past this is not one.
MAX_ANSWER_BYTES = 1024 * 1024
ENCODING = "utf-8"


class AckCode(models.TextChoices):
    """MSA-1 (HL7 table 0008): the application's answer, or in enhanced mode the receiving system's
    commit answer (the message asks for that one only on an error, MSH-15 ``ER``)."""

    ACCEPTED = "AA", _("Accepted")
    ERROR = "AE", _("Accepted with errors")
    REJECTED = "AR", _("Rejected")
    COMMITTED = "CA", _("Received, not yet processed")
    COMMIT_ERROR = "CE", _("Not received: an error")
    COMMIT_REJECTED = "CR", _("Not received: rejected")


class MllpFailure(models.TextChoices):
    """Why no acknowledgement of the message was read."""

    NOT_CONFIGURED = "not_configured", _("No registry address is set (CVMS_HL7_MLLP_HOST).")
    UNREACHABLE = "unreachable", _("The registry could not be reached.")
    TIMEOUT = "timeout", _("The registry did not answer in time.")
    DROPPED = "dropped", _("The registry closed the connection before it answered.")
    UNREADABLE = "unreadable", _("The registry's answer is not an acknowledgement this system can read.")
    OTHER_MESSAGE = "other_message", _("The registry acknowledged another message.")


@dataclass(frozen=True)
class MllpResult:
    """What became of one message: the acknowledgement's code (MSA-1) and the registry's words for
    it, or the failure that kept an acknowledgement from being read (``error``, with ``detail``)."""

    ack_code: str = ""
    text: str = ""
    error: str = ""
    detail: str = ""
    ack: str = ""

    @property
    def accepted(self) -> bool:
        """The registry took this very message without error: only then is it reported."""
        return self.ack_code == AckCode.ACCEPTED and not self.error

    @property
    def error_text(self) -> str:
        """The failure in the reader's language ("" when an acknowledgement was read)."""
        return str(MllpFailure(self.error).label) if self.error else ""


def mllp_frame(message: str) -> bytes:
    return START + message.encode(ENCODING) + END


_UNESCAPES = {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\", ".br": "\n", "H": "", "N": ""}


def hl7_unescape(value: str) -> str:
    """An ER7 value as text: the delimiters' escape sequences as the characters they stand for,
    ``\\Xhh..\\`` as the bytes it spells (UTF-8), any other sequence dropped."""

    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code in _UNESCAPES:
            return _UNESCAPES[code]
        if code[:1] == "X" and re.fullmatch(r"X(?:[0-9A-Fa-f]{2})+", code):
            return bytes.fromhex(code[1:]).decode(ENCODING, errors="replace")
        return ""

    return re.sub(r"\\([^\\]*)\\", replace, value)


def _field(segment, number: int, component: int | None = None) -> str:
    """A field's (or one component's) ER7 value, unescaped; "" when absent."""
    name = f"{segment.name}_{number}"
    for field in segment.children:
        if field.name == name:
            value = field.to_er7()
            if component is not None:
                parts = value.split("^")
                value = parts[component - 1] if len(parts) >= component else ""
            return hl7_unescape(value)
    return ""


def ack_read(ack: str, *, control_id: str) -> MllpResult:
    """The acknowledgement ``ack`` (ER7) of the message ``control_id``: MSA-1, and as its text each
    ERR's user message (ERR-8), else its error code's text (ERR-3.2), else MSA-3."""
    er7 = ack.strip().replace("\r\n", "\r").replace("\n", "\r")
    try:
        parsed = parse_message(er7, validation_level=VALIDATION_LEVEL.TOLERANT, find_groups=False)
        msa = next(s for s in parsed.children if s.name == "MSA")
    except (HL7apyException, StopIteration, ValueError, KeyError, IndexError) as error:
        return MllpResult(error=MllpFailure.UNREADABLE, detail=str(error) or type(error).__name__, ack=ack)
    code = _field(msa, 1).strip().upper()
    if code not in AckCode.values:
        return MllpResult(error=MllpFailure.UNREADABLE, detail=f"MSA-1 is {code!r}", ack=ack)
    acknowledged = _field(msa, 2).strip()
    if acknowledged != control_id:
        return MllpResult(ack_code=code, error=MllpFailure.OTHER_MESSAGE,
                          detail=f"MSA-2 is {acknowledged!r}, not {control_id!r}", ack=ack)
    texts = [_field(err, 8) or _field(err, 3, 2) or _field(err, 3, 1)
             for err in parsed.children if err.name == "ERR"]
    text = "; ".join(filter(None, texts)) or _field(msa, 3)
    return MllpResult(ack_code=code, text=text, ack=ack)


def _control_id(message: str) -> str:
    header = message.split("\r", 1)[0].split("|")
    return header[9] if len(header) > 9 else ""


def _read_frame(connection: socket.socket, deadline: float) -> bytes:
    """The bytes between the start block and the end of one frame; raises ``TimeoutError`` past
    the deadline, ``ConnectionError`` when the peer closes first, ``ValueError`` on too much."""
    received = b""
    while END not in received:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        connection.settimeout(remaining)
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        received += chunk
        if len(received) > MAX_ANSWER_BYTES:
            raise ValueError(f"more than {MAX_ANSWER_BYTES} bytes")
    start = received.find(START)
    return received[start + 1 if start >= 0 else 0:received.index(END)]


def mllp_send(message: str, *, host: str | None = None, port: int | None = None,
              timeout: float | None = None) -> MllpResult:
    """Send ``message`` (ER7) and read its acknowledgement; never raises for the network or the
    answer (see the module). ``host``, ``port`` and ``timeout`` default to the settings. A host
    name is looked up by the system's resolver, under its own time limit; the task that sends
    bounds the whole with its time limit."""
    host = settings.CVMS_HL7_MLLP_HOST if host is None else host
    port = settings.CVMS_HL7_MLLP_PORT if port is None else port
    timeout = settings.CVMS_HL7_MLLP_TIMEOUT if timeout is None else timeout
    if not host:
        return MllpResult(error=MllpFailure.NOT_CONFIGURED)
    try:
        connection = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        return MllpResult(error=MllpFailure.TIMEOUT, detail=f"connecting to {host}:{port}")
    except OSError as error:
        return MllpResult(error=MllpFailure.UNREACHABLE, detail=f"{host}:{port}: {error}")
    with connection:
        deadline = time.monotonic() + timeout
        try:
            connection.settimeout(timeout)
            connection.sendall(mllp_frame(message))
            answer = _read_frame(connection, deadline)
        except TimeoutError:
            return MllpResult(error=MllpFailure.TIMEOUT, detail=f"no answer from {host}:{port} in {timeout:g} s")
        except ValueError as error:
            return MllpResult(error=MllpFailure.UNREADABLE, detail=str(error))
        except OSError as error:  # ConnectionError: reset, broken pipe, closed
            return MllpResult(error=MllpFailure.DROPPED, detail=f"{host}:{port}: {error}")
    return ack_read(answer.decode(ENCODING, errors="replace"), control_id=_control_id(message))
