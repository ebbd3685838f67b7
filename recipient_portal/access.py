"""The Recipient Portal shows a recipient only their own record."""

from django.http import Http404

from cvms.recipients.models import Recipient


def access_recipient_by_user(user) -> Recipient:
    try:
        return Recipient.objects.get(user=user)
    except Recipient.DoesNotExist:
        raise Http404("No recipient record is linked to this account.") from None


def access_appointment_by_user(user, appointment_id: int):
    """One of the signed-in recipient's own appointments (404 for anyone else's)."""
    from cvms.appointments.models import Appointment

    recipient = access_recipient_by_user(user)
    try:
        return (Appointment.objects.select_related("slot__schedule__product", "location", "recipient")
                .get(pk=appointment_id, recipient=recipient))
    except Appointment.DoesNotExist:
        raise Http404("No such appointment of yours.") from None


def access_booking_location(location_id: int):
    """A location that takes bookings online (404 for any other)."""
    from cvms.organizations.models import Location

    try:
        return Location.objects.get(pk=location_id, is_active=True, self_scheduling__enabled=True)
    except Location.DoesNotExist:
        raise Http404("This location does not take bookings online.") from None


def access_chosen_slot(location, slot_id: str | None):
    """The open slot a booking link names at ``location``, or None (a link to another location's
    slot, a blocked, full or past one, or to none, shows the location's times)."""
    from cvms.appointments.selectors import open_slots

    # ASCII digits only: str.isdigit() also passes "²" and other scripts' digits.
    if not slot_id or not slot_id.isascii() or not slot_id.isdigit() or len(slot_id) > 18:
        return None
    return open_slots(location=location).select_related("schedule__product").filter(pk=int(slot_id)).first()


def access_recipient_requests(recipient) -> list:
    """The requests the recipient made about their own record, newest first: not the removal an
    employer asked staff for, which is between the employer and staff."""
    from cvms.recipients.choices import RequestKind
    from cvms.recipients.models import RecipientRequest

    return list(RecipientRequest.objects.filter(recipient=recipient, kind=RequestKind.CORRECTION)
                .order_by("-created_at", "-pk"))
