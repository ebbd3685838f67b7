"""The emails of an appointment: its confirmation (time, place, what to bring, the check-in QR code,
the .ics and links to manage it), a short cancellation notice, and the delivery rule every
appointment email shares (``mail_each``). Each goes only to a recipient who chose email and has an
address, in the recipient's language, and is claimed before it is sent, so a retried or doubled task
never sends it twice."""

import logging
import smtplib
from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone, translation

from cvms.appointments import choices as c
from cvms.appointments.calendar import CONTENT_TYPE as CALENDAR_TYPE
from cvms.appointments.calendar import appointment_address, appointment_calendar, appointment_calendar_name
from cvms.appointments.models import Appointment
from cvms.core import links
from cvms.core.mail import build_email
from cvms.core.outbox import outbox_enqueue
from cvms.core.validators import is_mail_address
from cvms.recipients.checkin_code import EMAIL_IMAGE_ID, checkin_code_attach
from cvms.recipients.choices import ContactPreference

log = logging.getLogger(__name__)

BOOKED, CANCELLED = "booked", "cancelled"
#: The field that claims each notice of an appointment.
_CLAIM = {BOOKED: "confirmation_sent_at", CANCELLED: "cancellation_sent_at"}


def emailable(recipient) -> bool:
    """Whether the program emails this recipient (their choice, and an address)."""
    return recipient.contact_preference == ContactPreference.EMAIL and bool(recipient.email)


def appointment_notice_queue(*, appointment: Appointment, kind: str) -> None:
    """Queue ``kind``'s email of ``appointment`` once the caller's transaction commits."""
    from cvms.appointments.tasks import send_appointment_notice

    if emailable(appointment.recipient):
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
    """Send ``kind``'s email of the appointment unless it went already (or is going). A confirmation of
    an appointment cancelled or moved since is not sent. A temporary failure gives the claim back and
    raises, for the task's retry; a lasting one is logged."""
    field = _CLAIM[kind]
    claimed = Appointment.objects.filter(pk=appointment_id, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()})
    if not claimed:
        return False
    appointment = (Appointment.objects.select_related("recipient", "location", "slot__schedule__product")
                   .get(pk=appointment_id))
    if not emailable(appointment.recipient) or (kind == BOOKED and appointment.status != c.AppointmentStatus.BOOKED):
        return False
    sent, failed = [], {}
    try:
        mail_each({appointment.pk: lambda: appointment_message(appointment, kind)}, sent=sent, failed=failed)
    except BaseException:
        Appointment.objects.filter(pk=appointment_id).update(**{field: None})
        raise
    for reason in failed.values():
        log.warning("Appointment %s: the %s email was not sent (%s).", appointment_id, kind, reason)
    return bool(sent)


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
