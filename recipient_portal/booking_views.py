"""Recipients book, move and cancel their own appointments online, at locations that take bookings
online, and add them to a calendar."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.appointments import choices as c
from cvms.appointments.calendar import CONTENT_TYPE, appointment_calendar, appointment_calendar_name
from cvms.appointments.selectors import (
    bookable_slots,
    booked_for_dose,
    recipient_appointments,
    recipient_next_dose,
    self_scheduling_enabled,
    slots_by_day,
)
from cvms.appointments.services import appointment_book, appointment_cancel, appointment_reschedule
from cvms.core.errors import ServiceError
from cvms.recipients.checkin_code import checkin_code, checkin_code_svg
from recipient_portal.access import (
    access_appointment_by_user,
    access_booking_location,
    access_chosen_slot,
    access_recipient_by_user,
)
from recipient_portal.forms import SlotChoiceForm


@require_http_methods(["GET", "POST"])
@role_required(Role.RECIPIENT)
def book_location(request, location_id):
    recipient = access_recipient_by_user(request.user)
    location = access_booking_location(location_id)
    form = SlotChoiceForm(request.POST if request.method == "POST" else None, location=location)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = appointment_book(recipient=recipient, slot=form.cleaned_data["slot"], actor=request.user)
        except ServiceError as refusal:
            form.add_error("slot", str(refusal))
        else:
            messages.success(request, _("Your appointment is booked."))
            return redirect("recipient_portal:appointment", appointment_id=appointment.pk)
    return _times_page(request, recipient, location, form, appointment=None)


@require_http_methods(["GET", "POST"])
@role_required(Role.RECIPIENT)
def appointment_move(request, appointment_id):
    appointment = access_appointment_by_user(request.user, appointment_id)
    location = access_booking_location(appointment.location_id)
    form = SlotChoiceForm(request.POST if request.method == "POST" else None, location=location)
    if request.method == "POST" and form.is_valid():
        try:
            moved = appointment_reschedule(appointment=appointment, slot=form.cleaned_data["slot"],
                                           actor=request.user)
        except ServiceError as refusal:
            form.add_error("slot", str(refusal))
        else:
            messages.success(request, _("Your appointment has moved."))
            return redirect("recipient_portal:appointment", appointment_id=moved.pk)
    return _times_page(request, appointment.recipient, location, form, appointment=appointment)


def _times_page(request, recipient, location, form, *, appointment):
    """A location's next open times for the person's next dose (or the dose being moved), the time
    chosen (``?slot=``, or the one posted) to confirm, and any refusal."""
    dose = recipient_next_dose(recipient)
    if appointment is not None:
        dose.number = appointment.dose_number
    posted = form.cleaned_data.get("slot") if form.is_bound else None
    chosen = posted or access_chosen_slot(location, request.GET.get("slot"))
    slots = bookable_slots(location=location, dose=dose)
    return render(request, "recipient_portal/booking/times.html", {
        "recipient": recipient, "location": location, "dose": dose, "days": slots_by_day(slots),
        "products": sorted({slot.schedule.product.display_name for slot in slots}), "chosen": chosen,
        "form": form, "appointment": appointment,
        "already": None if appointment else booked_for_dose(recipient, dose.number),
    }, status=400 if form.errors else 200)


@require_GET
@role_required(Role.RECIPIENT)
def appointments(request):
    recipient = access_recipient_by_user(request.user)
    upcoming, past = recipient_appointments(recipient)
    return render(request, "recipient_portal/booking/appointments.html", {
        "recipient": recipient, "upcoming": upcoming, "past": past, "next_dose": recipient_next_dose(recipient),
        "qr": checkin_code_svg(checkin_code(recipient), title=_("Check-in QR code")) if upcoming else "",
    })


@require_GET
@role_required(Role.RECIPIENT)
def appointment(request, appointment_id):
    appointment = access_appointment_by_user(request.user, appointment_id)
    booked = appointment.status == c.AppointmentStatus.BOOKED
    return render(request, "recipient_portal/booking/appointment.html", {
        "appointment": appointment, "booked": booked, "movable": self_scheduling_enabled(appointment.location),
        "qr": checkin_code_svg(checkin_code(appointment.recipient), title=_("Check-in QR code")) if booked else "",
    })


@require_http_methods(["GET", "POST"])
@role_required(Role.RECIPIENT)
def appointment_cancel_view(request, appointment_id):
    appointment = access_appointment_by_user(request.user, appointment_id)
    if request.method == "POST":
        try:
            appointment_cancel(appointment=appointment, actor=request.user)
        except ServiceError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Your appointment is cancelled."))
        return redirect("recipient_portal:appointments")
    return render(request, "recipient_portal/booking/cancel.html", {"appointment": appointment})


@require_GET
@role_required(Role.RECIPIENT)
def appointment_ics(request, appointment_id):
    appointment = access_appointment_by_user(request.user, appointment_id)
    response = HttpResponse(appointment_calendar(appointment), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{appointment_calendar_name(appointment)}"'
    return response
