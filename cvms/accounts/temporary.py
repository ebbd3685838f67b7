"""Temporary passwords: a random password the system emails (a help desk registration's), stored
hashed like any other, that stops working at ``User.password_expires_at`` and must be replaced by
a permanent one before the account can do anything else (``PermanentPasswordMiddleware`` for
pages, ``cvms.api.authentication`` for the API)."""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cvms.accounts.models import User
from cvms.core.audit import audit_log

#: No look-alike characters (0/O, 1/l/I): the password is read from an email and typed.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
_LENGTH = 14


def temporary_password_issue(*, user: User, actor=None, integration: str = "") -> str:
    """Give ``user`` a new random temporary password and return it (to be emailed, never stored as
    typed). It expires ``CVMS_TEMPORARY_PASSWORD_HOURS`` from now. Caller holds the user's row lock
    when a second issue must not race this one."""
    password = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    expires = timezone.now() + datetime.timedelta(hours=settings.CVMS_TEMPORARY_PASSWORD_HOURS)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])  # Django's password_changed hook ends any earlier mark
        User.objects.filter(pk=user.pk).update(password_expires_at=expires)
        user.password_expires_at = expires
        audit_log(actor=actor, integration=integration, action="accounts.user.temporary_password_issued", obj=user,
                  changes={"password_expires_at": expires.isoformat()})
    return password


def password_change_required(user) -> bool:
    """Whether ``user`` signed in with a temporary password and must choose a permanent one first."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "password_expires_at", None))


def temporary_password_expired(user: User) -> bool:
    return user.password_expires_at is not None and user.password_expires_at <= timezone.now()


def password_make_permanent(*, user: User, password: str) -> None:
    """Replace the temporary password with the one ``user`` chose. Signing in with the emailed
    password proved the address, so it is verified from now on."""
    from cvms.accounts.services import address_proven

    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])  # the hook (temporary_mark_end) clears the mark
        audit_log(actor=user, action="accounts.user.password_made_permanent", obj=user,
                  changes={"password_expires_at": None})
        address_proven(user=user, email=user.email, how="temporary_password")


def temporary_mark_end(user: User) -> None:
    """A new password was stored, whichever way: it is not the emailed temporary one."""
    if User.objects.filter(pk=user.pk, password_expires_at__isnull=False).update(password_expires_at=None):
        user.password_expires_at = None
