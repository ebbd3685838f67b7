"""Bulk creation of recipients at database speed: one INSERT per batch, the same person skipped
by the database's own uniqueness rule, so two uploads racing with one person create one row."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from cvms.core.audit import audit_log
from cvms.organizations.models import Location
from cvms.recipients import choices as c
from cvms.recipients.models import Recipient


@dataclass(slots=True)
class NewRecipient:
    first_name: str
    last_name: str
    date_of_birth: datetime.date
    email: str = ""
    preferred_language: str = ""  # "" for the default language


#: The columns that differ from person to person; every other column is the same for the batch.
_PER_PERSON = {"first_name": "text", "last_name": "text", "date_of_birth": "date", "email": "text",
               "preferred_language": "text", "welcome_email_status": "text"}


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


@dataclass(frozen=True)
class BulkCreated:
    ids: list[int]  # the rows created, in the order of ``people``
    skipped: list[int]  # positions in ``people`` of those already stored, who were not created


def _text_array(values) -> str:
    """A PostgreSQL array literal of text: one parameter that the server reads in one pass,
    where a Python list would be sent as ARRAY['a', 'b', ...], thousands of constants to parse."""
    return "{" + ",".join(['"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values]) + "}"


def recipients_bulk_create(*, people: Sequence[NewRecipient], **origin) -> BulkCreated:
    """Insert ``people`` (already validated, no duplicates among them) in one statement, and
    count, audit and welcome them. ``origin``: ``source``, and optionally ``created_by``,
    ``source_location``, ``employer``, ``industry`` and ``send_welcome``.

    Anyone already stored (same first name, last name and date of birth, ignoring case) is
    skipped and reported in ``skipped``. Caller may hold a transaction; welcome emails are queued
    when it commits.
    """
    with transaction.atomic():
        created = recipients_insert(people=people, **origin)
        recipients_record_created(ids=created.ids, **origin)
    return created


def recipients_insert(
    *,
    people: Sequence[NewRecipient],
    source: c.RecipientSource,
    created_by=None,
    source_location: Location | None = None,
    employer=None,
    industry: str = "",
    send_welcome: bool = True,
) -> BulkCreated:
    """The insert alone: no row of another table is touched or locked (see
    ``recipients_record_created``)."""
    if not people:
        return BulkCreated([], [])
    now = timezone.now()
    columns, shared = _shared_columns({
        "source": str(source), "created_by_id": getattr(created_by, "pk", None),
        "source_location_id": getattr(source_location, "pk", None),
        "employer_id": getattr(employer, "pk", None), "industry": str(industry), "created_at": now,
    })
    pending, not_sent = c.WelcomeEmailStatus.PENDING.value, c.WelcomeEmailStatus.NOT_SENT.value
    default_language = Recipient._meta.get_field("preferred_language").default
    per_person = [
        _text_array([p.first_name for p in people]), _text_array([p.last_name for p in people]),
        "{" + ",".join([p.date_of_birth.isoformat() for p in people]) + "}", _text_array([p.email for p in people]),
        _text_array([p.preferred_language or default_language for p in people]),
        _text_array([pending if send_welcome and p.email else not_sent for p in people]),
    ]
    # One array per varying column, unnested into rows; the shared values are parameters once.
    # The insert skips whoever is stored already, and the statement answers with the new ids and
    # the positions of the people skipped: a few numbers, not a row per person.
    sql = (
        "WITH person AS MATERIALIZED ("
        f"  SELECT * FROM unnest({', '.join(f'%s::{kind}[]' for kind in _PER_PERSON.values())}) WITH ORDINALITY "
        f"  AS p({', '.join(_PER_PERSON)}, n)), "
        "created AS ("
        f"  INSERT INTO {Recipient._meta.db_table} ({', '.join([*columns, *_PER_PERSON])}) "
        f"  SELECT {', '.join(['%s'] * len(shared))}, {', '.join(_PER_PERSON)} FROM person ORDER BY n "
        "  ON CONFLICT ((lower(first_name)), (lower(last_name)), date_of_birth) DO NOTHING "
        "  RETURNING id, first_name, last_name, date_of_birth) "
        # A created row holds its person's values exactly: compared as they are, no lower().
        "SELECT coalesce((SELECT array_agg(id ORDER BY id) FROM created), '{}'), "
        "       coalesce((SELECT array_agg(n - 1 ORDER BY n) FROM person p WHERE NOT EXISTS ("
        "           SELECT 1 FROM created c WHERE c.first_name = p.first_name AND c.last_name = p.last_name "
        "           AND c.date_of_birth = p.date_of_birth)), '{}')"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*per_person, *shared])
        ids, skipped = cursor.fetchone()
    return BulkCreated(ids, skipped)


def recipients_record_created(*, ids: list[int], source: c.RecipientSource, created_by=None,
                              source_location: Location | None = None, employer=None, industry: str = "",
                              send_welcome: bool = True) -> None:
    """What follows the insert, in the same transaction: the location's count, the audit entry
    and the welcome emails (queued when the transaction commits). Kept apart so that a caller
    inserting from several connections at once can take the location's row lock in commit order."""
    if not ids:
        return
    if source_location is not None:
        Location.objects.filter(pk=source_location.pk).update(
            loaded_recipient_count=F("loaded_recipient_count") + len(ids))
    audit_log(actor=created_by, action="registry.recipient.bulk_created", obj=source_location or employer,
              changes={"count": len(ids), "source": str(source)}, integration=str(source))
    if send_welcome:
        from cvms.recipients.welcome import queue_welcome_emails

        queue_welcome_emails(ids)
