"""The reporting outbox: every new, corrected and entered-in-error immunization writes one event in
the transaction of the change itself, so a change committed is a change reported and a change
rolled back is none (the CVRS extract reads these events; an entered-in-error record is a deletion).
Each event also writes the ``RegistrySubmission`` that carries it to the state registry as a VXU,
sent once the transaction commits (``vxu_send``). A new dose's event and submission are written by
the statement that inserts the dose (``CREATED_EVENT_SQL``, part of ``_DOSE`` in
``cvms.immunizations.services.administer``)."""

from django.db import connection
from django.utils import timezone

from cvms.reporting.models import (
    EVENT_ACTION,
    RegistrySubmission,
    ReportEvent,
    ReportEventKind,
)

#: The created event and its submission, as common table expressions after one called ``dose``
#: (``RETURNING id``) in a statement with the parameter ``at``; ``submitted`` returns the
#: submission's id (for ``vxu_submission_queue``).
CREATED_EVENT_SQL = """, reported AS (
    INSERT INTO reporting_reportevent (immunization_id, kind, created_at)
    SELECT dose.id, 'created', %(at)s FROM dose
    RETURNING id, immunization_id
), submitted AS (
    INSERT INTO reporting_registrysubmission
        (immunization_id, event_id, action, status, created_at, attempts, next_attempt_at, control_id, ack_code,
         ack_text, last_error)
    SELECT immunization_id, id, 'A', 'pending', %(at)s, 0,
           %(at)s, '', '', '', ''
    FROM reported
    RETURNING id
)"""


def report_event_add(*, immunization_id: int, kind: ReportEventKind) -> ReportEvent:
    """Write the event of a change and the submission that sends it to the state registry (queued
    once the transaction commits). The caller holds the transaction that writes the change."""
    if not connection.in_atomic_block:
        raise RuntimeError("A reporting event is written in the transaction of the change it reports.")
    now = timezone.now()
    event = ReportEvent.objects.create(immunization_id=immunization_id, kind=kind, created_at=now)
    submission = RegistrySubmission.objects.create(immunization_id=immunization_id, event=event,
                                                   action=EVENT_ACTION[ReportEventKind(kind)], created_at=now,
                                                   next_attempt_at=now)
    vxu_submission_queue(submission_id=submission.pk)
    return event


def vxu_submission_queue(*, submission_id: int) -> None:
    """Queue the sending of a submission once the caller's transaction commits. With no registry
    address nothing is queued: the submission waits, pending, for beat once one is set."""
    from django.conf import settings

    from cvms.core.outbox import outbox_enqueue
    from cvms.reporting.vxu_tasks import send_vxu_submission

    if settings.CVMS_HL7_MLLP_HOST:
        outbox_enqueue(task=send_vxu_submission, args=[submission_id])
