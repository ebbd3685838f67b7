"""Rosa, the demo recipient, can book her second dose online at the Raleigh clinic."""

import pytest

from cvms.appointments.selectors import bookable_slots, recipient_next_dose
from cvms.appointments.services import appointment_book
from cvms.demo.seed import seed_demo_everywhere
from cvms.organizations.models import Location
from cvms.recipients.models import Recipient


@pytest.fixture
def demo(reference_data):
    seed_demo_everywhere()


def test_rosa_sees_open_second_dose_times_at_raleigh_and_books_one(demo):
    rosa = Recipient.objects.get(user__email="recipient@example.com")
    raleigh = Location.objects.get(name="Triangle Health Raleigh Clinic")
    dose = recipient_next_dose(rosa)
    assert dose.number == 2
    slots = bookable_slots(location=raleigh, dose=dose)
    assert slots and all(slot.schedule.dose_number == 2 for slot in slots)
    assert appointment_book(recipient=rosa, slot=slots[0], actor=rosa.user).dose_number == 2
