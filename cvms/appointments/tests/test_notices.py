"""The confirmation and cancellation emails: queued on commit by the booking service, in the
recipient's language, with the check-in QR code and the calendar file; only to people who chose
email and have an address; each sent once."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from cvms.appointments import choices as c
from cvms.appointments.calendar import appointment_calendar
from cvms.appointments.notices import appointment_notice_send
from cvms.appointments.services import appointment_book, appointment_cancel, appointment_reschedule
from cvms.appointments.tests.helpers import TOMORROW, open_schedule, queued, run_outbox
from cvms.core.errors import ServiceError
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.checkin_code import EMAIL_IMAGE_ID
from cvms.recipients.choices import ContactPreference
from cvms.recipients.tests.factories import RecipientFactory

NOTICE = "cvms.appointments.tasks.send_appointment_notice"


def _attachments(message):
    """(content type, file name, Content-ID) of each part of a sent message that is not its text."""
    parsed = message.message()
    return [(part.get_content_type(), part.get_filename(), part.get("Content-ID"))
            for part in parsed.walk() if part.get_content_maintype() != "multipart"
            and part.get_content_type() not in ("text/plain", "text/html")]


def test_a_booking_sends_the_confirmation_with_time_place_qr_code_and_calendar_file(clinic, tenant_a):
    location = tenant_a.location
    location.address_line1, location.city, location.state, location.zip_code = "1 Main St", "Raleigh", "NC", "27601"
    location.save(update_fields=["address_line1", "city", "state", "zip_code"])
    slot = clinic.slots.first()
    appointment = appointment_book(recipient=tenant_a.recipient, slot=slot, actor=tenant_a.recipient_user)
    assert queued(NOTICE) == [[appointment.pk, "booked"]]
    run_outbox()
    (message,) = mail.outbox
    assert message.to == [tenant_a.recipient.email]
    assert "Your COVID-19 vaccine appointment" in message.subject
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "1 Main St" in text and "Raleigh, NC 27601" in text and "9 a.m." in text
        assert f"/recipient/appointments/{appointment.pk}/" in text
        assert "photo ID" in text
    assert f'src="cid:{EMAIL_IMAGE_ID}"' in html
    parts = _attachments(message)
    assert ("image/png", "check-in-code.png", f"<{EMAIL_IMAGE_ID}>") in parts
    (calendar_part,) = [p for p in parts if p[0] == "text/calendar"]
    assert calendar_part[1] == f"covid-19-vaccine-{appointment.pk}.ics"


def test_the_confirmation_is_in_the_recipients_language(clinic, tenant_a):
    recipient = tenant_a.recipient
    recipient.preferred_language = "es"
    recipient.save(update_fields=["preferred_language"])
    appointment_book(recipient=recipient, slot=clinic.slots.first())
    run_outbox()
    (message,) = mail.outbox
    month = {1: "enero", 2: "febrero", 3: "marzo", 4: "abril", 5: "mayo", 6: "junio", 7: "julio", 8: "agosto",
             9: "septiembre", 10: "octubre", 11: "noviembre", 12: "diciembre"}[TOMORROW.month]
    assert month in message.subject.lower() and month in message.body.lower()
    assert '<html lang="es">' in message.alternatives[0][0]


@pytest.mark.parametrize("change", [{"contact_preference": ContactPreference.TEXT},
                                    {"contact_preference": ContactPreference.PHONE},
                                    {"contact_preference": ContactPreference.NONE}, {"email": ""}])
def test_no_email_goes_to_someone_who_did_not_choose_email_or_has_no_address(clinic, change):
    recipient = RecipientFactory(**change)
    appointment = appointment_book(recipient=recipient, slot=clinic.slots.first())
    appointment_cancel(appointment=appointment)
    assert queued(NOTICE) == []
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is False
    assert mail.outbox == []


def test_a_staff_booking_sends_the_confirmation_too(clinic, tenant_a):
    appointment_book(recipient=tenant_a.recipient, slot=clinic.slots.first(), actor=tenant_a.front_desk,
                     via=c.BookedVia.STAFF)
    run_outbox()
    assert len(mail.outbox) == 1 and "appointment" in mail.outbox[0].subject


def test_cancel_sends_a_short_notice_and_a_move_confirms_the_new_time(clinic, tenant_a):
    first, second = list(clinic.slots.all())[:2]
    booked = appointment_book(recipient=tenant_a.recipient, slot=first)
    moved = appointment_reschedule(appointment=booked, slot=second)
    appointment_cancel(appointment=moved)
    assert queued(NOTICE) == [[booked.pk, "booked"], [moved.pk, "booked"], [moved.pk, "cancelled"]]
    run_outbox()
    # The first booking was moved and the move cancelled before the worker ran: only the notice of
    # the cancellation is still true.
    (cancelled,) = mail.outbox
    assert "is cancelled" in cancelled.subject
    assert "/recipient/find-a-vaccine/" in cancelled.body


def test_a_move_is_confirmed_as_a_move(clinic, tenant_a):
    first, second = list(clinic.slots.all())[:2]
    moved = appointment_reschedule(appointment=appointment_book(recipient=tenant_a.recipient, slot=first), slot=second)
    appointment_notice_send(appointment_id=moved.pk, kind="booked")
    (message,) = mail.outbox
    assert "has moved to" in message.subject and "9:30" in message.subject


def test_each_notice_is_sent_once_however_often_its_task_runs(clinic, tenant_a):
    appointment = appointment_book(recipient=tenant_a.recipient, slot=clinic.slots.first())
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is True
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is False
    appointment_cancel(appointment=appointment)
    assert appointment_notice_send(appointment_id=appointment.pk, kind="cancelled") is True
    assert appointment_notice_send(appointment_id=appointment.pk, kind="cancelled") is False
    assert len(mail.outbox) == 2


def test_a_refused_address_is_noted_and_the_notice_is_not_retried(clinic, tenant_a, monkeypatch, caplog):
    import smtplib

    appointment = appointment_book(recipient=tenant_a.recipient, slot=clinic.slots.first())

    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({tenant_a.recipient.email: (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is False
    assert "550 no such user" in caplog.text


def test_a_mail_server_down_gives_the_claim_back_for_the_retry(clinic, tenant_a, monkeypatch):
    appointment = appointment_book(recipient=tenant_a.recipient, slot=clinic.slots.first())

    def down(self, messages):
        raise ConnectionRefusedError

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", down)
        with pytest.raises(ConnectionRefusedError):
            appointment_notice_send(appointment_id=appointment.pk, kind="booked")
    assert appointment_notice_send(appointment_id=appointment.pk, kind="booked") is True
    assert len(mail.outbox) == 1


def test_the_calendar_file_parses_back_with_the_appointments_times_place_and_a_stable_uid(clinic, tenant_a):
    location = tenant_a.location
    location.address_line1, location.city, location.state, location.zip_code = "1 Main St", "Raleigh", "NC", "27601"
    location.save(update_fields=["address_line1", "city", "state", "zip_code"])
    slot = clinic.slots.order_by("starts_at")[1]
    appointment = appointment_book(recipient=tenant_a.recipient, slot=slot)
    calendar = icalendar.Calendar.from_ical(appointment_calendar(appointment))
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == slot.starts_at and event.decoded("dtend") == slot.ends_at
    assert str(event.decoded("dtstart").tzinfo) == "America/New_York"
    assert event["dtstart"].params["TZID"] == "America/New_York" and calendar.walk("VTIMEZONE")
    assert timezone.localtime(event.decoded("dtstart")).time() == datetime.time(9, 30)
    assert "1 Main St" in str(event["location"]) and "Raleigh, NC 27601" in str(event["location"])
    assert str(event["summary"]) == "COVID-19 vaccine, dose 1" and str(event["status"]) == "CONFIRMED"
    again = icalendar.Calendar.from_ical(appointment_calendar(appointment)).walk("VEVENT")[0]
    assert str(again["uid"]) == str(event["uid"]) and str(appointment.pk) in str(event["uid"])
    appointment_cancel(appointment=appointment)
    appointment.refresh_from_db()
    assert str(icalendar.Calendar.from_ical(appointment_calendar(appointment)).walk("VEVENT")[0]["status"]) \
        == "CANCELLED"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_calendar_summary_is_in_the_recipients_language(clinic, tenant_a, language):
    from django.utils import translation

    tenant_a.recipient.preferred_language = language
    tenant_a.recipient.save(update_fields=["preferred_language"])
    appointment = appointment_book(recipient=tenant_a.recipient, slot=clinic.slots.first())
    with translation.override("es" if language == "en" else "en"):  # the page's language does not decide
        event = icalendar.Calendar.from_ical(appointment_calendar(appointment)).walk("VEVENT")[0]
    with translation.override(language):
        assert str(event["summary"]) == translation.gettext("COVID-19 vaccine, dose %(number)d") % {"number": 1}


def test_a_booking_for_a_dose_the_person_does_not_need_next_is_refused(tenant_a):
    product = VaccineProductFactory()
    second_dose_clinic = open_schedule(tenant_a.location, product=product, dose_number=2,
                                       first_day=TOMORROW + datetime.timedelta(days=60))
    with pytest.raises(ServiceError, match="for dose 2, and the next dose .* is dose 1") as refusal:
        appointment_book(recipient=tenant_a.recipient, slot=second_dose_clinic.slots.first())
    assert refusal.value.field == "slot"
    lot = lot_receive(location=tenant_a.location, product=product, lot_number="NXT1",
                      expiration_date=TOMORROW + datetime.timedelta(days=90), doses=5)
    immunization_record(recipient=tenant_a.recipient, lot=lot, given_by=tenant_a.vaccinator)
    first_dose_clinic = open_schedule(tenant_a.location, product=product, opens=12, closes=13)
    with pytest.raises(ServiceError, match="for dose 1, and the next dose .* is dose 2"):
        appointment_book(recipient=tenant_a.recipient, slot=first_dose_clinic.slots.first())
    assert appointment_book(recipient=tenant_a.recipient, slot=second_dose_clinic.slots.first()).dose_number == 2
