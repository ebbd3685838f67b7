"""The notices of an appointment: its confirmation (time, place, what to bring, the check-in QR code,
the .ics and links to manage it), a short cancellation notice, and the delivery every notice to a
recipient shares (``deliver_each``: by email or text as ``cvms.recipients.reach`` decides, through
``mail_each`` or ``sms_send_each``). Each goes only to a recipient the program reaches on its own, in
the recipient's language, and is claimed before it is sent, so a retried or doubled task never
sends it twice. A text message is short (one SMS segment where it can be) and links to the page."""

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format

from cvms.appointments import choices as c
from cvms.appointments.calendar import CONTENT_TYPE as CALENDAR_TYPE
from cvms.appointments.calendar import appointment_address, appointment_calendar, appointment_calendar_name
from cvms.appointments.models import Appointment
from cvms.core import links
from cvms.core.mail import build_email
from cvms.core.outbox import outbox_enqueue
from cvms.core.sms import sms_render, sms_send_each
from cvms.core.validators import is_mail_address
from cvms.recipients.checkin_code import EMAIL_IMAGE_ID, checkin_code_attach
from cvms.recipients.models import Recipient
from cvms.recipients.reach import EMAIL, TEXT, recipient_channel

log = logging.getLogger(__name__)

BOOKED, CANCELLED = "booked", "cancelled"
#: The field that claims each notice of an appointment.
_CLAIM = {BOOKED: "confirmation_sent_at", CANCELLED: "cancellation_sent_at"}


@dataclass(frozen=True)
class Notice:
    """One notice to a recipient, as an email and as a text message (each built only when sent)."""

    recipient: Recipient
    email: Callable[[], EmailMultiAlternatives]
    text: Callable[[], str]


def appointment_notice_queue(*, appointment: Appointment, kind: str) -> None:
    """Queue ``kind``'s notice of ``appointment`` once the caller's transaction commits (when the
    program reaches its recipient on its own)."""
    from cvms.appointments.tasks import send_appointment_notice

    if recipient_channel(appointment.recipient):
        outbox_enqueue(task=send_appointment_notice, args=[appointment.pk, kind])


def appointment_context(appointment: Appointment) -> dict:
    """What every appointment email shows: when, where, the dose and vaccine, and where to manage it."""
    slot, location = appointment.slot, appointment.location
    return {
        "appointment": appointment, "recipient": appointment.recipient, "location": location,
        "starts_at": timezone.localtime(slot.starts_at), "ends_at": timezone.localtime(slot.ends_at),
        "address": appointment_address(location), "product": slot.schedule.product,
        "manage_url": links.link_url(links.RECIPIENT_APPOINTMENT, appointment.pk),
        "appointments_url": links.link_url(links.RECIPIENT_APPOINTMENTS),
        "finder_url": links.link_url(links.VACCINE_FINDER),
        "checkin_code_src": f"cid:{EMAIL_IMAGE_ID}",
    }


def appointment_message(appointment: Appointment, kind: str) -> EmailMultiAlternatives:
    """The confirmation (``booked``: with the check-in QR code and the .ics) or the cancellation notice."""
    recipient = appointment.recipient
    language = recipient.preferred_language
    with translation.override(language):
        context = appointment_context(appointment)
    if kind == BOOKED:
        message = build_email(template_prefix="appointments/email/confirmation", context=context,
                              to=[recipient.email], language=language)
        checkin_code_attach(message, recipient)
        message.attach(appointment_calendar_name(appointment), appointment_calendar(appointment), CALENDAR_TYPE)
        return message
    return build_email(template_prefix="appointments/email/cancellation", context=context, to=[recipient.email],
                       language=language)


def appointment_notice_send(*, appointment_id: int, kind: str) -> bool:
    """Send ``kind``'s notice of the appointment unless it went already (or is going). A confirmation of
    an appointment cancelled or moved since is not sent. A temporary failure gives the claim back and
    raises, for the task's retry; a lasting one is logged."""
    field = _CLAIM[kind]
    claimed = Appointment.objects.filter(pk=appointment_id, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()})
    if not claimed:
        return False
    appointment = (Appointment.objects.select_related("recipient", "location", "slot__schedule__product")
                   .get(pk=appointment_id))
    if not recipient_channel(appointment.recipient) or (
            kind == BOOKED and appointment.status != c.AppointmentStatus.BOOKED):
        return False
    sent, failed = [], {}
    try:
        deliver_each({appointment.pk: Notice(appointment.recipient, lambda: appointment_message(appointment, kind),
                                             lambda: appointment_text(appointment, kind))}, sent=sent, failed=failed)
    except BaseException:
        Appointment.objects.filter(pk=appointment_id).update(**{field: None})
        raise
    for reason in failed.values():
        log.warning("Appointment %s: the %s notice was not sent (%s).", appointment_id, kind, reason)
    return bool(sent)


#: The text message templates (``appointments/sms/``) of each notice; a reminder's is sent by beat.
REMINDER = "reminder"
_TEXT = {BOOKED: "confirmation", CANCELLED: "cancellation", REMINDER: "reminder"}


def appointment_text(appointment: Appointment, kind: str) -> str:
    """The text message of a confirmation, a day-before reminder or a cancellation: when, where, and
    the page to manage it (or, once cancelled, to book again)."""
    starts_at = timezone.localtime(appointment.slot.starts_at)
    url = (links.link_url(links.RECIPIENT_APPOINTMENTS) if kind == CANCELLED
           else links.link_url(links.RECIPIENT_APPOINTMENT, appointment.pk))
    language = appointment.recipient.preferred_language
    with translation.override(language):
        context = {"location": appointment.location.name, "url": url,
                   "day": date_format(starts_at, "SHORT_DATE_FORMAT"), "time": time_format(starts_at, "TIME_FORMAT")}
    return sms_render(f"appointments/sms/{_TEXT[kind]}.txt", context, language=language)


def deliver_each(notices: dict[int, Notice], *, sent: list, failed: dict) -> None:
    """Deliver each notice the way its recipient chose (``recipient_channel``), noting each key in
    ``sent`` or in ``failed`` as ``mail_each`` does; a recipient who asked for nothing since the work
    was claimed is noted as failed, so it is not tried again. Texts go first: a temporary email
    failure raises and leaves the rest of the emails unsent, not the texts."""
    emails, texts = {}, {}
    for key, notice in notices.items():
        channel = recipient_channel(notice.recipient)
        if channel == TEXT:
            texts[key] = (notice.recipient.phone, notice.text)
        elif channel == EMAIL:
            emails[key] = notice
        else:
            failed[key] = "not reachable: the recipient asked for no messages"
    sms_send_each(texts, sent=sent, failed=failed)
    if emails:  # opening a mail connection for texts alone would tie them to the mail server
        mail_each({key: notice.email for key, notice in emails.items()}, sent=sent, failed=failed,
                  addresses={key: notice.recipient.email for key, notice in emails.items()})


def mail_each(messages: dict[int, Callable[[], EmailMultiAlternatives]], *, sent: list, failed: dict,
              addresses: dict[int, str] | None = None) -> None:
    """Build and send each message over one connection, noting each key in ``sent`` once the server
    has taken it, or in ``failed`` with the reason it never will be (an address the mail layer cannot
    write, a message that cannot be built, a refusal for good): one bad address never holds back the
    others. A temporary refusal (4xx) or a dropped connection raises, leaving the rest unsent."""
    with get_connection() as connection:
        for key, build in messages.items():
            if addresses is not None and not is_mail_address(addresses[key]):
                failed[key] = "invalid address"
                continue
            try:
                connection.send_messages([build()])
            except (ValueError, UnicodeError) as exc:
                failed[key] = f"unbuildable: {str(exc)[:200]}"
                continue
            except smtplib.SMTPRecipientsRefused as refusal:
                code, reply = next(iter(refusal.recipients.values()))
                if code < 500:
                    raise
                failed[key] = f"refused: {code} {_text(reply)}"
                continue
            except smtplib.SMTPDataError as refusal:
                if refusal.smtp_code < 500:
                    raise
                failed[key] = f"refused: {refusal.smtp_code} {_text(refusal.smtp_error)}"
                continue
            sent.append(key)


def _text(reply) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return text.replace("\x00", "")[:200]
