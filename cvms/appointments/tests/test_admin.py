"""Appointments in admin: shown, searched by name and filtered, never edited raw; "Cancel" gives
the seat back through the booking service, audited."""

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.tests.factories import UserFactory
from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, Schedule, SelfScheduling, Slot
from cvms.appointments.services import appointment_book, schedule_create
from cvms.core.models import AuditLog
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def root(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def booked(tenant_a):
    schedule = schedule_create(actor=None, location=tenant_a.location, product=VaccineProductFactory(),
                               dose_number=1, weekdays=list(range(7)), opens_at=datetime.time(9),
                               closes_at=datetime.time(10), slot_minutes=30, capacity=2, first_day=TOMORROW,
                               last_day=TOMORROW)
    return appointment_book(recipient=tenant_a.recipient, slot=schedule.slots.first())


def test_cancel_in_admin_gives_the_seat_back_through_the_service(client, root, booked):
    client.force_login(root)
    response = client.post(reverse("admin:appointments_appointment_changelist"),
                           {"action": "cancel_appointments", "_selected_action": [booked.pk]}, follow=True)
    assert "1 appointment cancelled." in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == c.AppointmentStatus.CANCELLED and Slot.objects.get(pk=booked.slot_id).booked == 0
    assert AuditLog.objects.filter(action="appointments.appointment.cancelled", actor=root).exists()


def test_cancelling_a_closed_appointment_in_admin_says_why(client, root, booked):
    client.force_login(root)
    url = reverse("admin:appointments_appointment_changelist")
    client.post(url, {"action": "cancel_appointments", "_selected_action": [booked.pk]})
    body = client.post(url, {"action": "cancel_appointments", "_selected_action": [booked.pk]},
                       follow=True).content.decode()
    assert "no longer booked" in body and "0 appointments cancelled." in body


def test_appointments_are_found_by_name_and_filtered_by_status_location_and_day(client, root, booked, tenant_a):
    other = appointment_book(recipient=RecipientFactory(first_name="Zoe", last_name="Quill"), slot=booked.slot)
    client.force_login(root)
    url = reverse("admin:appointments_appointment_changelist")
    found = client.get(url, {"q": tenant_a.recipient.last_name}).context["cl"].result_list
    assert list(found) == [booked]
    assert set(client.get(url, {"day": "1", "status__exact": "booked",
                                "location__id__exact": tenant_a.location.pk}).context["cl"].result_list) == {
        booked, other}
    assert not client.get(url, {"day": "0"}).context["cl"].result_list


@pytest.mark.parametrize("model", [Appointment, Slot, Schedule, SelfScheduling])
def test_no_appointment_row_is_added_changed_or_deleted_raw_in_admin(root, model):
    request = RequestFactory().get("/admin/")
    request.user = root
    model_admin = admin.site._registry[model]
    assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                or model_admin.has_delete_permission(request))


def test_the_schedule_and_slot_lists_show_their_counts(client, root, booked):
    client.force_login(root)
    for name in ("schedule", "slot", "selfscheduling"):
        assert client.get(reverse(f"admin:appointments_{name}_changelist")).status_code == 200
    schedule = client.get(reverse("admin:appointments_schedule_changelist")).context["cl"].result_list[0]
    assert (schedule.slot_count, schedule.booked_count) == (2, 1)
