"""Sending with committed rows: a real Celery worker, and two senders racing for one submission."""

import threading
import time

import pytest
from django.db import connection

from conftest import other_workers_paused, start_celery_worker, stop_celery_worker
from cvms.reporting.models import RegistrySubmission, SubmissionStatus
from cvms.reporting.tests.mllp_fixtures import ack, control_id_of
from cvms.reporting.tests.vxu_fixtures import a_dose, field
from cvms.reporting.vxu_send import vxu_submission_send
from tests.servers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_sends_a_committed_dose_to_the_registry_and_stores_its_acknowledgement(
        tenant_a, reference_data, registry, settings, tasks_sent):
    from cvms.celery import app

    server = registry(lambda frame: ack(control_id_of(frame)))
    settings.CVMS_HL7_MLLP_HOST = "127.0.0.1"  # so the dose's send is queued once it commits
    app.control.purge()
    with other_workers_paused():
        worker = start_celery_worker("registry", CVMS_HL7_MLLP_HOST="127.0.0.1", CVMS_HL7_MLLP_PORT=str(server.port),
                                     CVMS_HL7_MLLP_TIMEOUT="5")
        try:
            dose = a_dose(tenant_a)
            submissions = RegistrySubmission.objects.filter(immunization=dose)
            wait_until(lambda: submissions.get().status != SubmissionStatus.PENDING, "never sent to the registry")
        finally:
            stop_celery_worker(worker)
    submission = submissions.get()
    assert (submission.status, submission.ack_code, submission.attempts) == (SubmissionStatus.ACCEPTED, "AA", 1)
    assert len(server.received) == 1
    message = server.received[0].decode()
    assert control_id_of(server.received[0]) == submission.control_id
    assert field(message.strip("\x0b\x1c\r"), "ORC", 3).startswith(f"{dose.pk}^")


def test_two_workers_given_the_same_submission_send_it_once(tenant_a, reference_data, registry, settings):
    def slow_accept(frame):
        time.sleep(0.5)
        return ack(control_id_of(frame))

    server = registry(slow_accept)
    settings.CVMS_HL7_MLLP_HOST, settings.CVMS_HL7_MLLP_PORT, settings.CVMS_HL7_MLLP_TIMEOUT = (
        "127.0.0.1", server.port, 5)
    submission = RegistrySubmission.objects.get(immunization=a_dose(tenant_a))
    barrier, outcomes = threading.Barrier(2), []

    def send():
        try:
            barrier.wait()
            outcomes.append(vxu_submission_send(submission_id=submission.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == sorted([SubmissionStatus.ACCEPTED, None], key=str)
    assert len(server.received) == 1
    submission.refresh_from_db()
    assert (submission.status, submission.attempts) == (SubmissionStatus.ACCEPTED, 1)
