"""Bulk creation of recipients at database speed: one INSERT per batch, the same person skipped
by the database's own uniqueness rule, so two uploads racing with one person create one row."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from psycopg2.extras import execute_values

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


def _columns_and_template(overrides: dict) -> tuple[list[str], list]:
    columns, template = [], []
    for field in Recipient._meta.concrete_fields:
        if field.primary_key:
            continue
        value = overrides[field.attname] if field.attname in overrides else field.get_default()
        columns.append(field.column)
        template.append(field.get_db_prep_value(value, connection))
    return columns, template


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
    columns, template = _columns_and_template({
        "source": str(source), "created_by_id": getattr(created_by, "pk", None),
        "source_location_id": getattr(source_location, "pk", None),
        "source_organization_id": getattr(source_organization, "pk", None),
        "employer_id": getattr(employer, "pk", None), "created_at": now,
    })
    slots = {name: columns.index(name) for name in ("first_name", "last_name", "date_of_birth", "email",
                                                     "welcome_email_status")}
    rows = []
    for person in people:
        row = list(template)
        row[slots["first_name"]] = person.first_name
        row[slots["last_name"]] = person.last_name
        row[slots["date_of_birth"]] = person.date_of_birth
        row[slots["email"]] = person.email
        row[slots["welcome_email_status"]] = (
            c.WelcomeEmailStatus.PENDING if send_welcome and person.email else c.WelcomeEmailStatus.NOT_SENT
        ).value
        rows.append(row)
    sql = (
        f"INSERT INTO {Recipient._meta.db_table} ({', '.join(columns)}) VALUES %s "
        "ON CONFLICT ((lower(first_name)), (lower(last_name)), date_of_birth) DO NOTHING "
        "RETURNING id, lower(first_name), lower(last_name), date_of_birth"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        created = execute_values(cursor.cursor, sql, rows, page_size=len(rows), fetch=True)
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
