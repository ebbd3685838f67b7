"""Sending VXUs to the state registry from the submissions the reporting outbox writes.

A submission is sent in three steps, so that no crash loses or doubles it: ``_claim`` locks the
row (skipping one another worker holds), keeps its control id (MSH-10, the same on every attempt),
counts the attempt and pushes its due time past the grace period, and commits; the message is then
built and sent with no transaction open; ``_settle`` stores the answer. A worker that dies between
the two leaves a pending row that beat takes again after the grace period, with the same control
id, and the attempt counted, so even a message that kills its worker stops at the limit.

AA is accepted and AE accepted with errors (kept, shown, not sent again). Anything else (AR, a
commit answer, no answer, a dropped connection, an answer that is no acknowledgement of this
message) is tried again after ``CVMS_HL7_RETRY_BASE_SECONDS``, doubled each attempt, until
``CVMS_HL7_RETRY_MAX_ATTEMPTS``: then rejected (the registry's last word was a refusal) or failed.
A record that cannot make a valid message fails at once. Submissions of one immunization go in
the order they were made: one waits while an older one is pending, and is queued when it settles.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cvms.core.audit import audit_log
from cvms.immunizations.models import Immunization
from cvms.reporting.events import vxu_submission_queue
from cvms.reporting.hl7 import VxuAction, VxuBuildError, vxu_action, vxu_message
from cvms.reporting.mllp import AckCode, MllpResult, mllp_send
from cvms.reporting.models import RegistrySubmission, SubmissionAction, SubmissionStatus

log = logging.getLogger(__name__)

#: No retry waits longer than this, whatever the attempt.
MAX_DELAY = datetime.timedelta(days=1)
#: Submissions beat queues at most per run (the rest the next minute).
DUE_BATCH = 1000
#: Answers that are the registry's refusal, not a failure to reach it.
REFUSALS = {AckCode.REJECTED, AckCode.COMMIT_REJECTED, AckCode.COMMIT_ERROR}


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th attempt failed: the base, doubled each attempt."""
    seconds = settings.CVMS_HL7_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 30)
    return min(datetime.timedelta(seconds=seconds), MAX_DELAY)


def claim_grace() -> datetime.timedelta:
    """How long a claimed submission is left to its worker: the grace period, and never less than
    the longest a send can take (connect, then answer) with a minute to spare."""
    return datetime.timedelta(seconds=max(settings.CVMS_HL7_RETRY_GRACE_SECONDS,
                                          2 * settings.CVMS_HL7_MLLP_TIMEOUT + 60))


def _older_pending():
    return RegistrySubmission.objects.filter(immunization_id=OuterRef("immunization_id"), id__lt=OuterRef("id"),
                                             status=SubmissionStatus.PENDING)


def _claim(submission_id: int, now: datetime.datetime) -> RegistrySubmission | None:
    with transaction.atomic():
        submission = (RegistrySubmission.objects.select_for_update(skip_locked=True)
                      .filter(pk=submission_id, status=SubmissionStatus.PENDING, next_attempt_at__lte=now)
                      .exclude(Exists(_older_pending())).first())
        if submission is None:
            return None
        submission.control_id = submission.control_id or uuid.uuid4().hex[:20].upper()
        submission.attempts += 1
        submission.next_attempt_at = now + claim_grace()
        submission.save(update_fields=["control_id", "attempts", "next_attempt_at"])
    return submission


def _message(submission: RegistrySubmission, now: datetime.datetime) -> str:
    immunization = Immunization.objects.get(pk=submission.immunization_id)
    return vxu_message(immunization, action=VxuAction(submission.action), control_id=submission.control_id, now=now)


def _outcome(submission: RegistrySubmission, result: MllpResult, now: datetime.datetime) -> dict:
    fields = {"ack_code": result.ack_code, "ack_text": result.text[:2000], "sent_at": now,
              "last_error": (f"{result.error_text} {result.detail}".strip() if result.error else "")[:2000]}
    if result.accepted:
        return {**fields, "status": SubmissionStatus.ACCEPTED, "next_attempt_at": None}
    if result.ack_code == AckCode.ERROR and not result.error:
        return {**fields, "status": SubmissionStatus.ACCEPTED_WITH_ERRORS, "next_attempt_at": None}
    if submission.attempts >= settings.CVMS_HL7_RETRY_MAX_ATTEMPTS:
        refused = result.ack_code in REFUSALS and not result.error
        return {**fields, "status": SubmissionStatus.REJECTED if refused else SubmissionStatus.FAILED,
                "next_attempt_at": None}
    return {**fields, "next_attempt_at": now + retry_delay(submission.attempts)}


def _settle(submission: RegistrySubmission, fields: dict) -> bool:
    """Store the outcome unless the claim was given up on and the submission taken again (a later
    attempt's outcome is the one kept). Queues the immunization's next submission once settled."""
    with transaction.atomic():
        stored = RegistrySubmission.objects.filter(pk=submission.pk, status=SubmissionStatus.PENDING,
                                                   attempts=submission.attempts).update(**fields)
        if stored and fields.get("status", SubmissionStatus.PENDING) != SubmissionStatus.PENDING:
            following = (RegistrySubmission.objects.filter(immunization_id=submission.immunization_id,
                                                           id__gt=submission.pk, status=SubmissionStatus.PENDING)
                         .order_by("id").values_list("id", flat=True).first())
            if following:
                vxu_submission_queue(submission_id=following)
    return bool(stored)


def vxu_submission_send(*, submission_id: int) -> str | None:
    """Send one submission if it is pending and due, and store the registry's answer; returns the
    status stored, or None when there was nothing to do (not due, settled, another worker holds
    it, an older one of its immunization is pending, or no registry address is set)."""
    if not settings.CVMS_HL7_MLLP_HOST:
        return None
    now = timezone.now()
    submission = _claim(submission_id, now)
    if submission is None:
        return None
    try:
        message = _message(submission, now)
    except VxuBuildError as error:
        fields = {"status": SubmissionStatus.FAILED, "next_attempt_at": None, "last_error": str(error)[:2000]}
    else:
        result = mllp_send(message)
        fields = _outcome(submission, result, timezone.now())
    if not _settle(submission, fields):
        log.info("VXU submission %s was taken again before its answer was stored.", submission.pk)
    return fields.get("status", SubmissionStatus.PENDING)


def vxu_submissions_due(*, now: datetime.datetime | None = None, limit: int = DUE_BATCH) -> list[int]:
    """The pending submissions whose next attempt has come (a claim past its grace period
    included), oldest first, that no older pending one of their immunization holds back."""
    now = now or timezone.now()
    return list(RegistrySubmission.objects.filter(status=SubmissionStatus.PENDING, next_attempt_at__lte=now)
                .exclude(Exists(_older_pending())).order_by("next_attempt_at", "id")
                .values_list("id", flat=True)[:limit])


def vxu_submissions_queue_due() -> int:
    """Queue a send for each submission due (beat, every minute); nothing without a registry."""
    if not settings.CVMS_HL7_MLLP_HOST:
        return 0
    from cvms.core.outbox import outbox_enqueue_many
    from cvms.reporting.vxu_tasks import send_vxu_submission

    due = vxu_submissions_due()
    outbox_enqueue_many(task=send_vxu_submission, calls=[((pk,), {}) for pk in due])
    return len(due)


def vxu_submission_resend(*, immunization: Immunization, actor) -> RegistrySubmission:
    """A new submission of the record as it stands (deleted if entered in error, an update if
    corrected, else an add), sent after any older one of the immunization; audited."""
    now = timezone.now()
    action = SubmissionAction(vxu_action(immunization).value)
    with transaction.atomic():
        submission = RegistrySubmission.objects.create(immunization=immunization, action=action, created_at=now,
                                                       next_attempt_at=now, resent_by=actor)
        audit_log(actor=actor, action="reporting.registry_submission.resent", obj=submission,
                  changes={"immunization": immunization.pk, "action": action.value})
        vxu_submission_queue(submission_id=submission.pk)
    return submission
