"""The reporting outbox: every new, corrected and entered-in-error immunization writes one event in
the transaction of the change itself, so a change committed is a change reported and a change
rolled back is none (the CVRS extract reads these events; an entered-in-error record is a deletion).
A new dose's event is written by the statement that inserts the dose (``_DOSE`` in
``cvms.immunizations.services.administer``), as one more part of it."""

from django.db import connection
from django.utils import timezone

from cvms.reporting.models import ReportEvent, ReportEventKind


def report_event_add(*, immunization_id: int, kind: ReportEventKind) -> ReportEvent:
    """Write the event of a change. The caller holds the transaction that writes the change."""
    if not connection.in_atomic_block:
        raise RuntimeError("A reporting event is written in the transaction of the change it reports.")
    return ReportEvent.objects.create(immunization_id=immunization_id, kind=kind, created_at=timezone.now())
