"""Reminders: the day before each booked appointment, and "your next dose is due" once the
interval has passed with no booking; each sent once however often or however many at once the
task runs, in the recipient's language, only to people who chose email, a bounded batch a run."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.accounts.tests.factories import UserFactory
from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, DoseReminder
from cvms.appointments.reminders import day_before_reminders_send, dose_reminders_send
from cvms.appointments.services import appointment_book, appointment_cancel
from cvms.appointments.tests.helpers import TOMORROW, open_schedule, queued
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.tests.factories import LocationFactory
from cvms.recipients.choices import ContactPreference
from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory


def _booked(schedule, **recipient):
    person = RecipientFactory(**recipient)
    return appointment_book(recipient=person, slot=schedule.slots.first())


@pytest.fixture
def tomorrow_clinic(db):
    mail.outbox.clear()
    return open_schedule(LocationFactory(), capacity=10)


def test_the_day_before_reminder_goes_to_each_appointment_of_tomorrow_once(tomorrow_clinic):
    appointment = _booked(tomorrow_clinic, first_name="Ana")
    later = open_schedule(tomorrow_clinic.location, first_day=TOMORROW + datetime.timedelta(days=1), opens=12,
                          closes=13)
    _booked(later, first_name="Bea")
    appointment_cancel(appointment=_booked(tomorrow_clinic, first_name="Cal"))
    assert day_before_reminders_send() == 1
    assert day_before_reminders_send() == 0
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"] and "tomorrow" in message.subject
    assert f"/recipient/appointments/{appointment.pk}/" in message.body
    assert Appointment.objects.get(pk=appointment.pk).reminder_sent_at is not None


@pytest.mark.parametrize("change", [{"contact_preference": ContactPreference.TEXT},
                                    {"contact_preference": ContactPreference.PHONE}, {"email": ""}])
def test_no_reminder_goes_to_people_who_chose_text_or_phone_or_have_no_address(tomorrow_clinic, change):
    appointment = _booked(tomorrow_clinic, **change)
    assert day_before_reminders_send() == 0 and mail.outbox == []
    assert Appointment.objects.get(pk=appointment.pk).reminder_sent_at is None


def test_the_reminder_is_in_the_recipients_language(tomorrow_clinic):
    _booked(tomorrow_clinic, preferred_language="es")
    day_before_reminders_send()
    (message,) = mail.outbox
    assert '<html lang="es">' in message.alternatives[0][0]


def test_a_run_sends_a_bounded_batch_and_queues_the_next(tomorrow_clinic):
    for name in ("Ana", "Bea", "Cal"):
        _booked(tomorrow_clinic, first_name=name)
    assert day_before_reminders_send(batch=2) == 2
    assert queued("cvms.appointments.tasks.send_day_before_reminders") == [[]]
    assert day_before_reminders_send(batch=2) == 1
    assert len(queued("cvms.appointments.tasks.send_day_before_reminders")) == 1  # the last run was not full
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "bea@example.com", "cal@example.com"]


def test_one_bad_address_never_holds_back_the_others(tomorrow_clinic, caplog):
    bad = _booked(tomorrow_clinic, first_name="Ana")
    Recipient.objects.filter(pk=bad.recipient_id).update(email="ana@@example")
    _booked(tomorrow_clinic, first_name="Bea")
    assert day_before_reminders_send() == 1
    assert [m.to for m in mail.outbox] == [["bea@example.com"]]
    assert "invalid address" in caplog.text
    assert day_before_reminders_send() == 0  # claimed: a bad address is not tried every run


def test_a_mail_server_down_mid_batch_keeps_the_sent_ones_sent_and_the_rest_for_the_retry(tomorrow_clinic,
                                                                                         monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    for name in ("Ana", "Bea"):
        _booked(tomorrow_clinic, first_name=name)
    send = EmailBackend.send_messages

    def once_then_down(self, messages):
        if mail.outbox:
            raise ConnectionResetError
        return send(self, messages)

    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", once_then_down)
        with pytest.raises(ConnectionResetError):
            day_before_reminders_send()
    assert day_before_reminders_send() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "bea@example.com"]


def _second_dose_due(*, days_ago=22, **recipient):
    """A recipient whose first dose (a 21-day product) was ``days_ago`` days ago."""
    location = LocationFactory()
    product = VaccineProductFactory()
    assert product.min_interval_days == 21 and product.series_doses == 2
    lot = lot_receive(location=location, product=product, lot_number="DUE1",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=90), doses=5)
    person = RecipientFactory(**recipient)
    given = timezone.now() - datetime.timedelta(days=days_ago)
    vaccinator = UserFactory()
    membership_grant(user=vaccinator, role=Role.VACCINATOR, location=location)
    immunization_record(recipient=person, lot=lot, given_by=vaccinator, administered_at=given)
    return person, location, product


def test_the_next_dose_reminder_goes_once_the_interval_has_passed_and_only_once(db):
    mail.outbox.clear()
    person, _location, product = _second_dose_due(first_name="Ana")
    _second_dose_due(days_ago=10, first_name="Bea")  # not due yet
    assert dose_reminders_send() == 1
    assert dose_reminders_send() == 0
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"] and "dose 2" in message.subject
    assert "/recipient/find-a-vaccine/" in message.body and product.display_name in message.body
    assert DoseReminder.objects.get(recipient=person).dose_number == 2


def test_no_next_dose_reminder_with_a_booking_for_it_or_to_people_who_chose_text(db):
    mail.outbox.clear()
    person, location, product = _second_dose_due(first_name="Ana")
    second = open_schedule(location, product=product, dose_number=2)
    appointment_book(recipient=person, slot=second.slots.first())
    _second_dose_due(first_name="Bea", contact_preference=ContactPreference.TEXT)
    assert dose_reminders_send() == 0 and mail.outbox == []


def test_a_bad_address_is_recorded_on_the_next_dose_reminder_and_the_others_go(db):
    mail.outbox.clear()
    bad, _location, _product = _second_dose_due(first_name="Ana")
    Recipient.objects.filter(pk=bad.pk).update(email="ana@@example")
    _second_dose_due(first_name="Bea")
    assert dose_reminders_send() == 1
    assert [m.to for m in mail.outbox] == [["bea@example.com"]]
    assert DoseReminder.objects.get(recipient=bad).failure == "invalid address"
    assert dose_reminders_send() == 0


def test_the_next_dose_reminder_is_in_the_recipients_language(db):
    mail.outbox.clear()
    _second_dose_due(first_name="Ana", preferred_language="es")
    dose_reminders_send()
    assert '<html lang="es">' in mail.outbox[0].alternatives[0][0]


def _twice_at_once(send) -> list:
    start = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            start.wait()
            counts.append(send())
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return counts


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_two_runs_at_once_send_each_reminder_once(monkeypatch):
    """Sending is slowed down, so the second run looks while the first is still sending."""
    import time

    from django.core.mail.backends.locmem import EmailBackend

    send = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, messages: time.sleep(0.2) or send(self, messages))
    mail.outbox = []
    clinic = open_schedule(LocationFactory(), capacity=10)
    for name in ("Ana", "Bea", "Cal"):
        _booked(clinic, first_name=name)
    for name in ("Dee", "Eve"):
        _second_dose_due(first_name=name)
    assert sum(_twice_at_once(day_before_reminders_send)) == 3
    assert sum(_twice_at_once(dose_reminders_send)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [f"{n}@example.com" for n in ("ana", "bea", "cal", "dee", "eve")]
    assert Appointment.objects.filter(status=c.AppointmentStatus.BOOKED, reminder_sent_at__isnull=True).count() == 0
