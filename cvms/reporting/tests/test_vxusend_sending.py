"""Sending VXUs to the state registry from the submissions the reporting outbox writes, against a
real MLLP listener on loopback."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from cvms.core.models import OutboxMessage
from cvms.immunizations.services.administer import immunization_edit, immunization_mark_entered_in_error
from cvms.reporting.mllp import AckCode
from cvms.reporting.models import RegistrySubmission, ReportEvent, SubmissionAction, SubmissionStatus
from cvms.reporting.tests.mllp_fixtures import ack, control_id_of
from cvms.reporting.tests.vxu_fixtures import a_dose, field
from cvms.reporting.vxu_send import (
    _claim,
    _settle,
    claim_grace,
    vxu_submission_send,
    vxu_submissions_due,
    vxu_submissions_queue_due,
)

SEND_TASK = "cvms.reporting.vxu_tasks.send_vxu_submission"


@pytest.fixture
def registry_at(registry, settings):
    """A registry answering with ``answer(frame)``, set as the address VXUs are sent to."""

    def start(answer):
        server = registry(answer)
        settings.CVMS_HL7_MLLP_HOST, settings.CVMS_HL7_MLLP_PORT, settings.CVMS_HL7_MLLP_TIMEOUT = (
            "127.0.0.1", server.port, 5)
        return server

    return start


def accepting(frame):
    return ack(control_id_of(frame))


def queued_sends() -> list[list]:
    """The sends queued (recorded in the outbox, published once the transaction commits)."""
    return list(OutboxMessage.objects.filter(task=SEND_TASK).order_by("id").values_list("args", flat=True))


def the_submission(dose) -> RegistrySubmission:
    return RegistrySubmission.objects.get(immunization=dose)


def make_due(submission: RegistrySubmission) -> None:
    RegistrySubmission.objects.filter(pk=submission.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def test_one_dose_recorded_writes_exactly_one_pending_add_queued_once_committed(
        tenant_a, reference_data, settings):
    settings.CVMS_HL7_MLLP_HOST = "registry.example.org"
    dose = a_dose(tenant_a)
    submission = the_submission(dose)
    event = ReportEvent.objects.get(immunization=dose)
    assert (submission.event_id, submission.action, submission.status, submission.attempts) == (
        event.pk, SubmissionAction.ADD, SubmissionStatus.PENDING, 0)
    assert submission.next_attempt_at <= timezone.now()
    assert queued_sends() == [[submission.pk]]


def test_a_rolled_back_dose_writes_no_submission(tenant_a, reference_data):
    with pytest.raises(RuntimeError), transaction.atomic():
        a_dose(tenant_a)
        raise RuntimeError("the caller's transaction fails after the dose")
    assert not RegistrySubmission.objects.exists()
    assert not ReportEvent.objects.exists()


def test_a_correction_and_an_entry_in_error_each_write_their_submission(tenant_a, reference_data):
    dose = a_dose(tenant_a)
    immunization_edit(immunization=dose, actor=tenant_a.manager, site="RD", confirmed=True)
    immunization_mark_entered_in_error(immunization=dose, actor=tenant_a.manager, reason="Wrong recipient")
    assert list(RegistrySubmission.objects.filter(immunization=dose).order_by("id").values_list("action", flat=True)
                ) == ["A", "U", "D"]


def test_a_vxu_the_registry_accepts_is_stored_accepted_with_its_control_id(tenant_a, reference_data, registry_at):
    dose = a_dose(tenant_a)
    server = registry_at(accepting)
    assert vxu_submission_send(submission_id=the_submission(dose).pk) == SubmissionStatus.ACCEPTED
    submission = the_submission(dose)
    message = server.received[0].decode()
    assert (submission.status, submission.ack_code, submission.attempts, submission.next_attempt_at) == (
        SubmissionStatus.ACCEPTED, AckCode.ACCEPTED, 1, None)
    assert submission.sent_at is not None and submission.control_id == control_id_of(server.received[0])
    assert field(message, "RXA", 21) == "A" and field(message, "ORC", 3).startswith(f"{dose.pk}^")
    assert vxu_submission_send(submission_id=submission.pk) is None  # settled: never sent twice
    assert len(server.received) == 1


def test_an_answer_with_errors_is_kept_with_the_registrys_words_and_not_sent_again(
        tenant_a, reference_data, registry_at):
    dose = a_dose(tenant_a)
    server = registry_at(lambda frame: ack(control_id_of(frame), "AE",
                                           "ERR||RXA^1^17|103^Table value not found^HL70357|W||||Unknown lot"))
    assert vxu_submission_send(submission_id=the_submission(dose).pk) == SubmissionStatus.ACCEPTED_WITH_ERRORS
    submission = the_submission(dose)
    assert (submission.ack_code, submission.ack_text, submission.next_attempt_at) == ("AE", "Unknown lot", None)
    assert not vxu_submissions_due(now=timezone.now() + datetime.timedelta(days=30))
    assert len(server.received) == 1


def test_a_dropped_connection_is_retried_after_a_back_off_with_the_same_control_id(
        tenant_a, reference_data, registry_at, settings):
    settings.CVMS_HL7_RETRY_BASE_SECONDS = 60
    dose = a_dose(tenant_a)
    server = registry_at(lambda frame: None if len(server.received) <= 2 else accepting(frame))
    before = timezone.now()
    assert vxu_submission_send(submission_id=the_submission(dose).pk) == SubmissionStatus.PENDING
    first = the_submission(dose)
    assert (first.attempts, first.ack_code) == (1, "")
    assert "closed the connection" in first.last_error
    assert before + datetime.timedelta(seconds=59) < first.next_attempt_at < timezone.now() + datetime.timedelta(
        seconds=61)
    assert vxu_submission_send(submission_id=first.pk) is None  # not due yet: nothing sent
    assert first.pk not in vxu_submissions_due()
    make_due(first)
    assert vxu_submission_send(submission_id=first.pk) == SubmissionStatus.PENDING
    second = the_submission(dose)
    assert second.attempts == 2
    assert datetime.timedelta(seconds=119) < second.next_attempt_at - second.sent_at < datetime.timedelta(seconds=121)
    make_due(second)
    assert vxu_submission_send(submission_id=first.pk) == SubmissionStatus.ACCEPTED
    done = the_submission(dose)
    assert (done.status, done.attempts, done.last_error) == (SubmissionStatus.ACCEPTED, 3, "")
    assert {control_id_of(frame) for frame in server.received} == {done.control_id}
    assert len(server.received) == 3


@pytest.mark.parametrize(("answer", "status"), [
    (lambda frame: None, SubmissionStatus.FAILED),
    (lambda frame: ack(f"{control_id_of(frame)}|Unknown sending facility", "AR"), SubmissionStatus.REJECTED),
])
def test_when_the_attempts_run_out_the_submission_stops_for_staff_to_see(
        tenant_a, reference_data, registry_at, settings, answer, status):
    settings.CVMS_HL7_RETRY_MAX_ATTEMPTS = 3
    dose = a_dose(tenant_a)
    server = registry_at(answer)
    submission = the_submission(dose)
    for _attempt in range(3):
        make_due(submission)
        vxu_submission_send(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, submission.attempts, submission.next_attempt_at) == (status, 3, None)
    assert not vxu_submissions_due(now=timezone.now() + datetime.timedelta(days=30))
    assert len(server.received) == 3


def test_nothing_is_sent_without_a_registry_address_and_the_submissions_wait(
        tenant_a, reference_data, settings, registry):
    settings.CVMS_HL7_MLLP_HOST = ""
    dose = a_dose(tenant_a)
    submission = the_submission(dose)
    assert vxu_submission_send(submission_id=submission.pk) is None
    assert vxu_submissions_queue_due() == 0
    assert queued_sends() == []
    submission.refresh_from_db()
    assert (submission.status, submission.attempts, submission.control_id) == (SubmissionStatus.PENDING, 0, "")
    server = registry(accepting)  # an address is set later: beat sends what waited
    settings.CVMS_HL7_MLLP_HOST, settings.CVMS_HL7_MLLP_PORT = "127.0.0.1", server.port
    assert vxu_submissions_queue_due() == 1
    assert queued_sends() == [[submission.pk]]
    assert vxu_submission_send(submission_id=submission.pk) == SubmissionStatus.ACCEPTED


def test_an_update_waits_for_its_create_and_is_queued_once_the_create_settles(
        tenant_a, reference_data, registry_at):
    server = registry_at(lambda frame: None)
    dose = a_dose(tenant_a)
    create = the_submission(dose)
    assert vxu_submission_send(submission_id=create.pk) == SubmissionStatus.PENDING  # dropped: waits to retry
    immunization_edit(immunization=dose, actor=tenant_a.manager, site="RD", confirmed=True)
    update = RegistrySubmission.objects.get(immunization=dose, action=SubmissionAction.UPDATE)
    assert vxu_submission_send(submission_id=update.pk) is None  # the create is still pending
    assert update.pk not in vxu_submissions_due(now=timezone.now() + datetime.timedelta(days=1))
    assert len(server.received) == 1
    server.answer = accepting
    make_due(create)
    OutboxMessage.objects.all().delete()
    assert vxu_submission_send(submission_id=create.pk) == SubmissionStatus.ACCEPTED
    assert queued_sends() == [[update.pk]]
    assert vxu_submission_send(submission_id=update.pk) == SubmissionStatus.ACCEPTED
    assert [field(frame.decode(), "RXA", 21) for frame in server.received] == ["A", "A", "U"]


def test_one_bad_submission_never_holds_back_another_immunizations(tenant_a, reference_data, registry_at, settings):
    dose = a_dose(tenant_a)
    stuck = the_submission(dose)
    RegistrySubmission.objects.filter(pk=stuck.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(
        hours=1))
    other = RegistrySubmission.objects.create(immunization=dose, action="U", created_at=timezone.now(),
                                              next_attempt_at=timezone.now())
    assert vxu_submissions_due() == [stuck.pk]  # the update waits for the create; the create is due
    registry_at(accepting)
    assert vxu_submission_send(submission_id=stuck.pk) == SubmissionStatus.ACCEPTED
    assert vxu_submissions_due() == [other.pk]


def test_a_submission_a_dead_worker_held_is_taken_again_after_the_grace_period_with_its_control_id(
        tenant_a, reference_data, registry_at, settings):
    settings.CVMS_HL7_RETRY_GRACE_SECONDS = 300
    server = registry_at(accepting)
    dose = a_dose(tenant_a)
    claimed = _claim(the_submission(dose).pk, timezone.now())  # the worker dies here, message unsent
    assert claimed.attempts == 1 and claimed.control_id
    assert claimed.pk not in vxu_submissions_due(now=timezone.now() + datetime.timedelta(seconds=290))
    assert vxu_submission_send(submission_id=claimed.pk) is None
    assert claimed.pk in vxu_submissions_due(now=timezone.now() + claim_grace() + datetime.timedelta(seconds=1))
    make_due(claimed)
    assert vxu_submission_send(submission_id=claimed.pk) == SubmissionStatus.ACCEPTED
    assert control_id_of(server.received[0]) == claimed.control_id
    assert the_submission(dose).attempts == 2


def test_a_late_answer_of_an_attempt_given_up_on_does_not_overwrite_the_later_one(
        tenant_a, reference_data, registry_at):
    registry_at(accepting)
    dose = a_dose(tenant_a)
    stale = _claim(the_submission(dose).pk, timezone.now())
    make_due(stale)
    assert vxu_submission_send(submission_id=stale.pk) == SubmissionStatus.ACCEPTED
    assert not _settle(stale, {"status": SubmissionStatus.FAILED, "next_attempt_at": None})
    assert the_submission(dose).status == SubmissionStatus.ACCEPTED


def test_the_back_off_doubles_from_the_base_and_never_passes_a_day(settings):
    from cvms.reporting.vxu_send import retry_delay

    settings.CVMS_HL7_RETRY_BASE_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 8)] == [60, 120, 240, 7680]
    assert retry_delay(40) == datetime.timedelta(days=1)


def test_a_claim_is_held_at_least_as_long_as_a_send_can_take(settings):
    settings.CVMS_HL7_RETRY_GRACE_SECONDS, settings.CVMS_HL7_MLLP_TIMEOUT = 30, 120
    assert claim_grace() == datetime.timedelta(seconds=300)


def test_a_record_that_cannot_make_a_valid_message_fails_at_once_and_holds_back_no_other(
        tenant_a, reference_data, registry_at, monkeypatch):
    from cvms.reporting import vxu_send
    from cvms.reporting.hl7 import VxuBuildError

    server = registry_at(accepting)
    broken = a_dose(tenant_a)
    real = vxu_send.vxu_message

    def build(immunization, **options):
        if immunization.pk == broken.pk:
            raise VxuBuildError(f"Immunization {broken.pk}: RXA-15 is too long")
        return real(immunization, **options)

    monkeypatch.setattr(vxu_send, "vxu_message", build)
    assert vxu_submission_send(submission_id=the_submission(broken).pk) == SubmissionStatus.FAILED
    submission = the_submission(broken)
    assert (submission.attempts, submission.next_attempt_at) == (1, None)
    assert "RXA-15 is too long" in submission.last_error
    assert server.received == []
    fine = RegistrySubmission.objects.create(immunization=broken, action="U", created_at=timezone.now(),
                                             next_attempt_at=timezone.now())
    assert vxu_submissions_due() == [fine.pk]  # a failed submission holds nothing back


def test_beat_queues_the_due_submissions_every_minute():
    from django.conf import settings as django_settings

    from cvms.celery import app

    entry = django_settings.CELERY_BEAT_SCHEDULE["send-due-vxu-submissions"]
    assert entry["schedule"] == 60.0 and entry["task"] in app.tasks and SEND_TASK in app.tasks
