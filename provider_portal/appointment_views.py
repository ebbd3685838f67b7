"""The day's appointments at a location: by time, with the day before and after; check someone in
(then on to their dose, or the check-in page), cancel, move to another time, mark a no-show, and
book for someone on the phone or at the desk. For the people who check recipients in there."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cvms.accounts.decorators import role_required
from cvms.appointments.roles import DAY_LIST_ROLES
from cvms.appointments.selectors import day_list
from cvms.appointments.services import (
    appointment_check_in,
    appointment_no_show,
    appointment_staff_book,
    appointment_staff_cancel,
    appointment_staff_reschedule,
)
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.immunizations.roles import ADMINISTER_ROLES
from cvms.inventory.roles import holds_role_at
from cvms.recipients.services import recipients_look_up
from provider_portal.access import (
    access_appointment_by_user,
    access_day_list_location_by_user,
    access_recipient_by_user,
    query_id,
)
from provider_portal.appointment_forms import DayQueryForm, FindForm, SlotForm


def _day_url(location, day: datetime.date) -> str:
    return reverse("provider_portal:appointments_day", args=[location.pk]) + f"?day={day.isoformat()}"


def _name(appointment) -> str:
    return f"{appointment.recipient.first_name} {appointment.recipient.last_name}"


@require_GET
@role_required(*DAY_LIST_ROLES)
def appointments_day(request, location_id):
    location = access_day_list_location_by_user(request.user, location_id)
    form = DayQueryForm(request.GET)
    day = (form.cleaned_data["day"] if form.is_valid() else None) or timezone.localdate()
    one = datetime.timedelta(days=1)
    return render(request, "provider_portal/appointments/day.html", {
        "location": location, "form": form, "day": day, "today": timezone.localdate(), "now": timezone.now(),
        "appointments": day_list(location=location, day=day), "previous": day - one, "next": day + one,
    }, status=400 if form.errors else 200)


@require_POST
@role_required(*DAY_LIST_ROLES)
def appointment_check_in_view(request, location_id, appointment_id):
    appointment = access_appointment_by_user(request.user, location_id, appointment_id)
    try:
        checkin = appointment_check_in(appointment=appointment, actor=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
        return redirect(_day_url(appointment.location, timezone.localdate(appointment.slot.starts_at)))
    messages.success(request, _("%(name)s is checked in.") % {"name": _name(appointment)})
    if holds_role_at(request.user, appointment.location, ADMINISTER_ROLES):
        return redirect(reverse("provider_portal:dose_new", args=[location_id, appointment.recipient_id])
                        + f"?checkin={checkin.pk}")
    return redirect("provider_portal:checkin", location_id)


def _close(request, location_id, appointment_id, service, done):
    appointment = access_appointment_by_user(request.user, location_id, appointment_id)
    try:
        service(appointment=appointment, actor=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done % {"name": _name(appointment)})
    return redirect(_day_url(appointment.location, timezone.localdate(appointment.slot.starts_at)))


@require_POST
@role_required(*DAY_LIST_ROLES)
def appointment_cancel_view(request, location_id, appointment_id):
    return _close(request, location_id, appointment_id, appointment_staff_cancel,
                  _("The appointment of %(name)s is cancelled and the seat is free."))


@require_POST
@role_required(*DAY_LIST_ROLES)
def appointment_no_show_view(request, location_id, appointment_id):
    return _close(request, location_id, appointment_id, appointment_no_show,
                  _("%(name)s is marked as not having come."))


@require_http_methods(["GET", "POST"])
@role_required(*DAY_LIST_ROLES)
def appointment_reschedule_view(request, location_id, appointment_id):
    appointment = access_appointment_by_user(request.user, location_id, appointment_id)
    form = SlotForm(request.POST or None, location=appointment.location, moving=appointment)
    if form.is_bound and form.is_valid():
        try:
            moved = appointment_staff_reschedule(appointment=appointment, slot=form.cleaned_data["slot"],
                                                 actor=request.user)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("The appointment of %(name)s is moved.") % {"name": _name(appointment)})
            return redirect(_day_url(appointment.location, timezone.localdate(moved.slot.starts_at)))
    return render(request, "provider_portal/appointments/reschedule.html", {
        "location": appointment.location, "appointment": appointment, "form": form,
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*DAY_LIST_ROLES)
def appointment_book_view(request, location_id):
    """Find the person (the check-in search), then choose an open time for them."""
    location = access_day_list_location_by_user(request.user, location_id)
    recipient_id = query_id(request.POST.get("recipient") or request.GET.get("recipient"))
    if recipient_id is None:
        find = FindForm(request.GET)
        text = find.cleaned_data["q"].strip() if find.is_valid() else ""
        found = recipients_look_up(actor=request.user, location=location, text=text)[0] if text else []
        return render(request, "provider_portal/appointments/book.html", {
            "location": location, "find": find, "found": found, "searched": bool(text)},
            status=400 if find.errors else 200)
    location, recipient = access_recipient_by_user(request.user, location_id, recipient_id)
    form = SlotForm(request.POST or None, location=location)
    if form.is_bound and form.is_valid():
        try:
            booked = appointment_staff_book(recipient=recipient, slot=form.cleaned_data["slot"], actor=request.user)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("%(name)s is booked.") % {"name": _name(booked)})
            return redirect(_day_url(location, timezone.localdate(booked.slot.starts_at)))
    return render(request, "provider_portal/appointments/book.html", {
        "location": location, "recipient": recipient, "form": form}, status=400 if form.errors else 200)
