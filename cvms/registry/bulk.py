"""Bulk creation of recipients at database speed: one INSERT per batch, the same person skipped
by the database's own uniqueness rule, so two uploads racing with one person create one row."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from cvms.core.audit import audit_log
from cvms.registry import choices as c
from cvms.registry.models import Location, Recipient

Identity = tuple[str, str, datetime.date]


@dataclass(frozen=True)
class NewRecipient:
    first_name: str
    last_name: str
    date_of_birth: datetime.date
    email: str = ""

    @property
    def identity(self) -> Identity:
        return (self.first_name.lower(), self.last_name.lower(), self.date_of_birth)


#: The columns that differ from person to person; every other column is the same for the batch.
_PER_PERSON = {"first_name": "text", "last_name": "text", "date_of_birth": "date", "email": "text",
               "welcome_email_status": "text"}


def _shared_columns(overrides: dict) -> tuple[list[str], list]:
    """The columns every person of a batch shares and their values (defaults, or ``overrides``)."""
    columns, values = [], []
    for field in Recipient._meta.concrete_fields:
        if field.primary_key or field.column in _PER_PERSON:
            continue
        value = overrides[field.attname] if field.attname in overrides else field.get_default()
        columns.append(field.column)
        values.append(field.get_db_prep_value(value, connection))
    return columns, values


def recipients_bulk_create(
    *,
    people: Sequence[NewRecipient],
    source: c.RecipientSource,
    created_by=None,
    source_location: Location | None = None,
    source_organization=None,
    employer=None,
    send_welcome: bool = True,
) -> dict[Identity, int]:
    """Insert ``people`` (already validated, no duplicates among them) in one statement.

    Returns ``{identity: id}`` for the rows created; anyone already stored is skipped. Caller
    may hold a transaction; welcome emails are queued when it commits.
    """
    if not people:
        return {}
    now = timezone.now()
    columns, shared = _shared_columns({
        "source": str(source), "created_by_id": getattr(created_by, "pk", None),
        "source_location_id": getattr(source_location, "pk", None),
        "source_organization_id": getattr(source_organization, "pk", None),
        "employer_id": getattr(employer, "pk", None), "created_at": now,
    })
    pending, not_sent = c.WelcomeEmailStatus.PENDING.value, c.WelcomeEmailStatus.NOT_SENT.value
    per_person = [
        [p.first_name for p in people], [p.last_name for p in people], [p.date_of_birth for p in people],
        [p.email for p in people], [pending if send_welcome and p.email else not_sent for p in people],
    ]
    # One array per varying column, unnested into rows: for thousands of rows PostgreSQL parses
    # and plans this several times faster than a VALUES list of every column of every row. The
    # shared values are parameters once; the insert casts each to its column's type.
    sql = (
        f"INSERT INTO {Recipient._meta.db_table} ({', '.join([*columns, *_PER_PERSON])}) "
        f"SELECT {', '.join(['%s'] * len(shared))}, person.* "
        f"FROM unnest({', '.join(f'%s::{kind}[]' for kind in _PER_PERSON.values())}) AS person "
        "ON CONFLICT ((lower(first_name)), (lower(last_name)), date_of_birth) DO NOTHING "
        "RETURNING id, lower(first_name), lower(last_name), date_of_birth"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [*shared, *per_person])
        created = cursor.fetchall()
        created_ids = {(first, last, dob): pk for pk, first, last, dob in created}
        if created_ids and source_location is not None:
            Location.objects.filter(pk=source_location.pk).update(
                loaded_recipient_count=F("loaded_recipient_count") + len(created_ids)
            )
        if created_ids:
            audit_log(actor=created_by, action="registry.recipient.bulk_created",
                      obj=source_location or source_organization,
                      changes={"count": len(created_ids), "source": str(source)}, integration=str(source))
        if send_welcome and created_ids:
            from cvms.registry.welcome import queue_welcome_emails

            queue_welcome_emails(list(created_ids.values()))
    return created_ids
