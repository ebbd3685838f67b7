"""Checks every stock service makes of what a person typed: a whole number of doses, and free text
kept within its column."""

from django.utils.translation import gettext as _

from cvms.core.errors import ServiceError


def whole_doses(value, field: str = "doses") -> int:
    """``value`` if it is a whole number of doses greater than zero (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ServiceError(_("Enter a whole number of doses greater than zero."), field=field)
    return value


def bounded_text(text, *, field: str, limit: int, required: str = "") -> str:
    """``text`` stripped; refused naming ``field`` when longer than ``limit`` or, with a ``required``
    message, when empty."""
    text = (text or "").strip()
    if required and not text:
        raise ServiceError(required, field=field)
    if len(text) > limit:
        raise ServiceError(_("Keep it to %(max)s characters.") % {"max": limit}, field=field)
    return text
