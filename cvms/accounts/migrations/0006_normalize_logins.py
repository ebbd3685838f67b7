"""Store every username and email address in the one normalized spelling (NFKC, then case folding;
``cvms.accounts.logins.normalize_login``), which look-ups now compare exactly.

On a collision (two accounts whose usernames normalize alike, e.g. ``nurse@…`` and ``nurſe@…``), the
account that already holds the normalized spelling keeps it, or else the oldest account. Each other
one keeps its old username, which no typed login can match any more, is deactivated, and gets an
audit log entry ``accounts.user.login_collision`` naming the account that kept the login, for staff
to resolve. Two spellings of one address on one account become one row (verified and primary if
either was); an address verified on another account stays on this one unverified. Colliding open
invitations: the newest is kept, the others are revoked.
"""

import unicodedata

from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

# Already normalized: plain ASCII lowercase. Only other rows are read and rewritten.
_PLAIN = r"^[a-z0-9.@_+-]*$"


def _normalize(value):
    # A copy of normalize_login as of this migration: a migration must not change with the code.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold()).strip()


def _users(apps):
    User = apps.get_model("accounts", "User")
    AuditLog = apps.get_model("core", "AuditLog")
    for user in User.objects.exclude(username__regex=_PLAIN, email__regex=_PLAIN).order_by("date_joined", "pk"):
        fields = {}
        email = _normalize(user.email)
        if email != user.email:
            fields["email"] = email
        username = _normalize(user.username)
        if username != user.username:
            # The database refuses two usernames equal under lower(): such a row holds it too.
            holder = (User.objects.annotate(lowered=Lower("username"))
                      .filter(Q(username=username) | Q(lowered=username)).exclude(pk=user.pk).first())
            if holder is None:
                fields["username"] = username
            else:
                fields["is_active"] = False
                AuditLog.objects.create(
                    actor_label="system", action="accounts.user.login_collision", object_id=str(user.pk),
                    object_repr=user.username[:255],
                    changes={"username": user.username, "normalized": username, "kept_by": holder.pk,
                             "is_active": [user.is_active, False]},
                )
        if fields:
            User.objects.filter(pk=user.pk).update(**fields)


def _addresses(apps):
    EmailAddress = apps.get_model("account", "EmailAddress")
    for address in EmailAddress.objects.exclude(email__regex=_PLAIN).order_by("pk"):
        email = _normalize(address.email)
        if email == address.email:
            continue
        twin = EmailAddress.objects.filter(user_id=address.user_id, email=email).first()
        if twin is not None:
            verified, primary = twin.verified or address.verified, twin.primary or address.primary
            address.delete()
            EmailAddress.objects.filter(pk=twin.pk).update(verified=verified, primary=primary)
            continue
        verified = address.verified and not EmailAddress.objects.filter(email=email, verified=True).exists()
        EmailAddress.objects.filter(pk=address.pk).update(email=email, verified=verified)


def _invitations(apps):
    Invitation = apps.get_model("accounts", "Invitation")
    for invitation in Invitation.objects.exclude(email__regex=_PLAIN).order_by("pk"):
        email = _normalize(invitation.email)
        if email == invitation.email:
            continue
        rows = Invitation.objects.filter(pk=invitation.pk)
        others = Invitation.objects.filter(
            email=email, role=invitation.role, organization_id=invitation.organization_id,
            location_id=invitation.location_id, accepted_at__isnull=True, revoked_at__isnull=True,
        ).exclude(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at or not others.exists():
            rows.update(email=email)
        elif others.filter(created_at__gt=invitation.created_at).exists():
            rows.update(email=email, revoked_at=timezone.now())
        else:
            others.update(revoked_at=timezone.now())
            rows.update(email=email)


def normalize_logins(apps, schema_editor):
    _users(apps)
    _addresses(apps)
    _invitations(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_signin_lockout"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(normalize_logins, migrations.RunPython.noop)]
