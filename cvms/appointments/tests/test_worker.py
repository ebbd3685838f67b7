"""A real Celery worker sends the confirmation of a booking once it is committed."""

import time
from pathlib import Path

import pytest
from django.conf import settings

from cvms.appointments.services import appointment_book
from cvms.appointments.tests.helpers import open_schedule
from cvms.organizations.tests.factories import LocationFactory
from cvms.recipients.tests.factories import RecipientFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _mail_to(address: str, since: set[Path], timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p.read_text(errors="replace") for p in set(Path(settings.CVMS_MAILBOX_DIR).glob("*.eml")) - since]
        found = [text for text in found if f"To: {address}" in text]
        if found:
            return found
        time.sleep(0.2)
    return []


def test_the_worker_sends_the_confirmation_of_a_booking(celery_worker_process):
    before = set(Path(settings.CVMS_MAILBOX_DIR).glob("*.eml"))
    person = RecipientFactory(first_name="Wanda", last_name="Worker", email="wanda.worker@example.com")
    appointment_book(recipient=person, slot=open_schedule(LocationFactory()).slots.first())
    (sent,) = _mail_to("wanda.worker@example.com", before)
    assert "Your COVID-19 vaccine appointment" in sent and "check-in-code.png" in sent and "text/calendar" in sent
