"""Text messages for people who chose them: the appointment confirmation, the day-before reminder,
the cancellation and "your next dose is due" go by text to a recipient whose preference is text,
in their language, short (one SMS segment) with a link; nothing goes unprompted to one who chose
none; a text the provider refuses is recorded and never tried again."""

import pytest
from django.core import mail

from cvms.appointments.models import Appointment, DoseReminder
from cvms.appointments.notices import appointment_notice_send
from cvms.appointments.reminders import day_before_reminders_send, dose_reminders_send
from cvms.appointments.services import appointment_book, appointment_cancel
from cvms.appointments.tests.helpers import TOMORROW, queued, run_outbox
from cvms.appointments.tests.test_reminders import _second_dose_due
from cvms.core.tests.sms_backends import RecordingBackend
from cvms.recipients.choices import ContactPreference
from cvms.recipients.tests.factories import RecipientFactory

NOTICE = "cvms.appointments.tasks.send_appointment_notice"
TEXTS = {"contact_preference": ContactPreference.TEXT, "phone": "9195550100"}
#: One SMS segment of the GSM 7-bit alphabet.
SEGMENT = 160


@pytest.fixture(autouse=True)
def texts(settings):
    settings.CVMS_SMS_BACKEND = "cvms.core.tests.sms_backends.RecordingBackend"
    RecordingBackend.sent = []
    return RecordingBackend.sent


@pytest.fixture
def refusing(settings):
    settings.CVMS_SMS_BACKEND = "cvms.core.tests.sms_backends.RefusingBackend"


def _book(clinic, **recipient):
    person = RecipientFactory(**recipient)
    return appointment_book(recipient=person, slot=clinic.slots.first())


def test_a_booking_texts_the_confirmation_with_when_where_and_the_link(clinic, texts):
    appointment = _book(clinic, **TEXTS)
    assert queued(NOTICE) == [[appointment.pk, "booked"]]
    run_outbox()
    assert mail.outbox == []
    (text,) = texts
    assert text.to == "9195550100"
    assert clinic.location.name in text.body and "9 a.m." in text.body and TOMORROW.strftime("%m/%d/%Y") in text.body
    assert f"/recipient/appointments/{appointment.pk}/" in text.body
    assert len(text.body) <= SEGMENT


def test_the_confirmation_text_is_in_the_recipients_language(clinic, texts):
    _book(clinic, preferred_language="es", **TEXTS)
    run_outbox()
    (text,) = texts
    assert TOMORROW.strftime("%d/%m/%Y") in text.body  # the Spanish way of writing the day


def test_a_cancellation_is_texted_with_a_link_to_book_again(clinic, texts):
    appointment = _book(clinic, **TEXTS)
    run_outbox()
    appointment_cancel(appointment=appointment)
    run_outbox()
    assert len(texts) == 2 and "/recipient/appointments/" in texts[1].body
    assert f"/recipient/appointments/{appointment.pk}/" not in texts[1].body
    assert len(texts[1].body) <= SEGMENT


def test_the_day_before_reminder_goes_by_text_once(clinic, texts):
    appointment = _book(clinic, **TEXTS)
    texts.clear()
    assert day_before_reminders_send() == 1
    assert day_before_reminders_send() == 0
    (text,) = texts
    assert f"/recipient/appointments/{appointment.pk}/" in text.body and len(text.body) <= SEGMENT
    assert mail.outbox == []


def test_the_next_dose_reminder_goes_by_text_once(db, texts):
    mail.outbox.clear()
    person, _location, _product = _second_dose_due(first_name="Ana", **TEXTS)
    assert dose_reminders_send() == 1
    assert dose_reminders_send() == 0
    (text,) = texts
    assert "2" in text.body and "/recipient/appointments/" in text.body and len(text.body) <= SEGMENT
    assert DoseReminder.objects.get(recipient=person).sent_at is not None
    assert mail.outbox == []


def test_email_stays_email_and_texts_stay_texts_in_one_run(clinic, texts):
    _book(clinic, first_name="Ana")
    _book(clinic, first_name="Bea", **TEXTS)
    texts.clear()
    mail.outbox.clear()
    assert day_before_reminders_send() == 2
    assert [m.to for m in mail.outbox] == [["ana@example.com"]] and [t.to for t in texts] == ["9195550100"]


@pytest.mark.parametrize("choice", [{"contact_preference": ContactPreference.NONE, "phone": "9195550100"},
                                    {"contact_preference": ContactPreference.TEXT, "phone": ""}])
def test_nothing_is_sent_unprompted_to_someone_who_chose_none_or_has_no_phone_for_texts(clinic, texts, choice):
    appointment = _book(clinic, **choice)
    assert queued(NOTICE) == []
    assert day_before_reminders_send() == 0
    assert texts == [] and mail.outbox == []
    assert Appointment.objects.get(pk=appointment.pk).reminder_sent_at is None


def test_someone_who_chose_none_after_the_booking_was_queued_gets_nothing(clinic, texts):
    appointment = _book(clinic, **TEXTS)
    appointment.recipient.__class__.objects.filter(pk=appointment.recipient_id).update(contact_preference="none")
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is False
    assert texts == [] and mail.outbox == []


def test_a_refused_confirmation_text_is_logged_and_not_tried_again(clinic, refusing, caplog):
    appointment = _book(clinic, **TEXTS)
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is False
    assert "text not sent" in caplog.text
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is False
    assert Appointment.objects.get(pk=appointment.pk).confirmation_sent_at is not None


def test_a_refused_dose_reminder_text_is_recorded_and_the_others_go(db, settings):
    mail.outbox.clear()
    refused, _location, _product = _second_dose_due(first_name="Ana", **TEXTS)
    _second_dose_due(first_name="Bea")
    settings.CVMS_SMS_BACKEND = "cvms.core.tests.sms_backends.RefusingBackend"
    assert dose_reminders_send() == 1
    assert [m.to for m in mail.outbox] == [["bea@example.com"]]
    assert DoseReminder.objects.get(recipient=refused).failure.startswith("text not sent")
    assert dose_reminders_send() == 0


def test_a_refused_day_before_text_is_not_tried_every_run(clinic, refusing, caplog):
    _book(clinic, **TEXTS)
    assert day_before_reminders_send() == 0
    assert "text not sent" in caplog.text
    assert day_before_reminders_send() == 0
    assert Appointment.objects.filter(reminder_sent_at__isnull=False).count() == 1


def test_a_long_location_name_still_sends_the_whole_link(clinic, texts):
    clinic.location.name = "Wake County Human Services Public Health Center, Swinburne Building"
    clinic.location.save(update_fields=["name"])
    appointment = _book(clinic, **TEXTS)
    run_outbox()
    assert texts[0].body.endswith(f"/recipient/appointments/{appointment.pk}/")



def test_a_text_goes_once_even_while_the_mail_server_is_down(clinic, texts, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    appointment = _book(clinic, **TEXTS)
    monkeypatch.setattr(EmailBackend, "open", lambda self: (_ for _ in ()).throw(ConnectionRefusedError()))
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is True
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is False
    assert len(texts) == 1
