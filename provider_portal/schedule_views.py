"""The Schedules tab: a location's self-scheduling opt-in, its schedules and their days (block a
day, open it again, change its seats). Location Managers change it; the location's other people and
state staff read it."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cvms.accounts.decorators import role_required
from cvms.appointments import choices as c
from cvms.appointments.models import SelfScheduling
from cvms.appointments.roles import DAY_LIST_ROLES, SCHEDULE_ROLES
from cvms.appointments.selectors import day_list, location_schedules, slot_day_summary
from cvms.appointments.services import (
    check_day_in_reach,
    schedule_create,
    self_scheduling_set,
    slots_day_block,
    slots_day_seats,
    slots_day_unblock,
)
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.inventory.roles import holds_role_at
from provider_portal.access import PORTAL_ROLES, access_schedules_location_by_user, schedules_editable_by
from provider_portal.schedule_forms import DayForm, ScheduleForm, SelfSchedulingForm


def _blocked_day(request, location):
    """The day just blocked (``?blocked=``) and how many people are still booked on it."""
    try:
        day = check_day_in_reach(datetime.date.fromisoformat(request.GET.get("blocked", "")), field="blocked")
    except (ValueError, ServiceError):
        return None
    booked = day_list(location=location, day=day).filter(status=c.AppointmentStatus.BOOKED)
    return {"day": day, "booked": booked.count()}


def _page(request, location, *, schedule_form=None, day_form=None, status=200):
    setting = SelfScheduling.objects.filter(location=location).first()
    return render(request, "provider_portal/schedules/schedules.html", {
        "location": location, "can_edit": schedules_editable_by(request.user, location),
        "can_see_day": holds_role_at(request.user, location, DAY_LIST_ROLES),
        "self_scheduling": bool(setting and setting.enabled), "schedules": location_schedules(location=location),
        "days": slot_day_summary(location=location, since=timezone.localdate()),
        "schedule_form": schedule_form or ScheduleForm(), "day_form": day_form or DayForm(location=location),
        "blocked": _blocked_day(request, location),
    }, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*PORTAL_ROLES)
def schedules(request, location_id):
    if request.method == "GET":
        return _page(request, access_schedules_location_by_user(request.user, location_id))
    location = access_schedules_location_by_user(request.user, location_id, edit=True)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            schedule_create(actor=request.user, location=location, **form.cleaned_data)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("The schedule is saved and its times are open."))
            return redirect("provider_portal:schedules", location.pk)
    return _page(request, location, schedule_form=form, status=400)


@require_POST
@role_required(*SCHEDULE_ROLES)
def self_scheduling(request, location_id):
    location = access_schedules_location_by_user(request.user, location_id, edit=True)
    form = SelfSchedulingForm(request.POST)
    if form.is_valid():
        enabled = form.cleaned_data["enabled"]
        self_scheduling_set(location=location, enabled=enabled, actor=request.user)
        messages.success(request, _("Recipients can now book online here.") if enabled
                         else _("Recipients can no longer book online here; staff still book for them."))
    return redirect("provider_portal:schedules", location.pk)


def _day_action(location, data, actor):
    day, schedule = data["day"], data["schedule"]
    if data["action"] == "block":
        slots_day_block(location=location, day=day, schedule=schedule, actor=actor)
        return _("%(day)s is blocked: nobody new can book it.") % {"day": day.strftime("%m/%d/%Y")}
    if data["action"] == "unblock":
        slots_day_unblock(location=location, day=day, schedule=schedule, actor=actor)
        return _("%(day)s is open for booking again.") % {"day": day.strftime("%m/%d/%Y")}
    slots_day_seats(location=location, day=day, schedule=schedule, seats=data["seats"], actor=actor)
    return (_("Each time on %(day)s now has %(seats)d seats.")
            % {"day": day.strftime("%m/%d/%Y"), "seats": data["seats"]})


@require_POST
@role_required(*SCHEDULE_ROLES)
def schedule_day(request, location_id):
    location = access_schedules_location_by_user(request.user, location_id, edit=True)
    form = DayForm(request.POST, location=location)
    if form.is_valid():
        try:
            done = _day_action(location, form.cleaned_data, request.user)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, done)
            url = reverse("provider_portal:schedules", args=[location.pk])
            if form.cleaned_data["action"] == "block":
                url += "?" + urlencode({"blocked": form.cleaned_data["day"].isoformat()})
            return redirect(url)
    return _page(request, location, day_form=form, status=400)
