"""Recipients: the rules that create and remove them (loads in bulk: ``bulk``; welcome emails: ``welcome``)."""

import datetime
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log, audited_update
from cvms.core.errors import ServiceError
from cvms.core.phones import digits_only
from cvms.organizations.models import Location
from cvms.recipients import choices as c
from cvms.recipients.models import Recipient


class DuplicateRecipient(ServiceError):
    pass


@contextmanager
def _one_row_per_person():
    """The database's refusal of a second row for the same person, raised as ``DuplicateRecipient``
    (the transaction inside has rolled back)."""
    try:
        yield
    except IntegrityError as exc:
        if "recipient_same_person_unique" in str(exc):
            raise DuplicateRecipient("A recipient with this name and date of birth already exists.") from exc
        raise


def recipient_create(*, first_name: str, last_name: str, date_of_birth: datetime.date,
                     source: c.RecipientSource, created_by=None, **fields) -> Recipient:
    """Create a recipient; raise ``DuplicateRecipient`` if the same person already exists."""
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    with _one_row_per_person(), transaction.atomic():
        recipient = Recipient.objects.create(
            first_name=first_name.strip(), last_name=last_name.strip(), date_of_birth=date_of_birth,
            source=source, created_by=created_by, **fields,
        )
        if recipient.source_location_id:
            Location.objects.filter(pk=recipient.source_location_id).update(
                loaded_recipient_count=F("loaded_recipient_count") + 1
            )
        audit_log(actor=created_by, action="registry.recipient.created", obj=recipient,
                  changes={"source": str(source)})
    return recipient


def recipient_update(*, recipient: Recipient, actor, **fields) -> dict:
    """Correct a recipient's details (a help desk request): the fields that differ are written and
    audited. Raises ``DuplicateRecipient`` if the corrected name and birth date are someone else's."""
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    for name in ("first_name", "last_name"):
        if name in fields:
            fields[name] = fields[name].strip()
    with _one_row_per_person(), transaction.atomic():
        return audited_update(recipient, fields=fields, actor=actor, action="registry.recipient.updated")


def recipient_remove(*, recipient: Recipient, actor, reason: str) -> None:
    """Remove a loaded recipient who has no immunization record (a help desk request)."""
    if not reason.strip():
        raise ServiceError(_("A reason is required to remove a recipient."))
    if recipient.immunizations.exists():
        raise ServiceError(_("A recipient with immunization records cannot be removed."))
    with transaction.atomic():
        audit_log(actor=actor, action="registry.recipient.removed", obj=recipient,
                  changes={"reason": reason, "name": str(recipient)})
        if recipient.source_location_id:
            Location.objects.filter(pk=recipient.source_location_id, loaded_recipient_count__gt=0).update(
                loaded_recipient_count=F("loaded_recipient_count") - 1
            )
        recipient.delete()
