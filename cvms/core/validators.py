"""Validators every app shares."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.mail.message import sanitize_address
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

MAX_EMAIL = 254

#: Plain ASCII addresses that both Django's EmailValidator and the mail layer take as they are:
#: the common case, answered without the slower checks below.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_django_email = EmailValidator(allowlist=[])  # a recipient needs a domain with a dot


def is_mail_address(value: str) -> bool:
    """True when ``value`` is an address the mail layer can send to exactly as it is written:
    Django's email syntax, no control, format (bidi), separator or unassigned characters, and
    a domain that encodes (IDNA labels of 63 characters at most)."""
    if len(value) > MAX_EMAIL:
        return False
    if _PLAIN_EMAIL.fullmatch(value):
        return True
    if any(unicodedata.category(ch)[0] in "CZ" for ch in value):
        return False
    try:
        _django_email(value)
        sanitize_address(value, "utf-8")
    except (ValidationError, ValueError, UnicodeError):
        return False
    return True


def validate_mail_address(value: str) -> None:
    """The one email validator: uploads, forms and models all use it."""
    if not is_mail_address(value):
        raise ValidationError(_("Enter a valid email address."), code="invalid")
