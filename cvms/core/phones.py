"""Phone numbers are stored as digits only (the database checks it)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def digits_only(value: str) -> str:
    return re.sub(r"[^0-9]", "", value or "")


def phone_check(value: str) -> str:
    """A US phone number as typed ("+1 (919) 555-0100") as its 10 digits, "" when blank; anything
    else raises ``ValidationError`` (a form shows it beside the field)."""
    digits = digits_only(value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]  # +1 country code
    if value and len(digits) != 10:
        raise ValidationError(_("Enter 10 digits, for example 9195555555."), code="phone")
    return digits
