"""The Check-in tab: find any recipient in the state (or scan their check-in code), register a walk-in,
check people in, and the location's queue; a recipient's record as the person's role needs it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cvms.accounts.decorators import role_required
from cvms.appointments.selectors import appointments_to_check_in
from cvms.appointments.services import recipient_check_in
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.immunizations.roles import ADMINISTER_ROLES, CHECKIN_ROLES
from cvms.immunizations.selectors import checkin_queue, checkin_waiting, recipient_doses
from cvms.immunizations.services.checkin import AlreadyWaiting, checkin_close_left, checkin_walk_in
from cvms.inventory.roles import holds_role_at
from cvms.recipients.checkin_code import looks_like_checkin_code
from cvms.recipients.services import (
    DuplicateRecipient,
    recipient_look_up_by_code,
    recipient_record_open,
    recipients_look_up,
)
from provider_portal.access import access_checkin_by_user, access_checkin_location_by_user, access_recipient_by_user
from provider_portal.checkin_forms import SearchForm, WalkInForm


def _name(recipient) -> str:
    return f"{recipient.first_name} {recipient.last_name}"


@require_GET
@role_required(*CHECKIN_ROLES)
def checkin(request, location_id):
    location = access_checkin_location_by_user(request.user, location_id)
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    found, terms = [], None
    if text and looks_like_checkin_code(text):
        try:
            recipient = recipient_look_up_by_code(actor=request.user, location=location, code=text)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            return redirect("provider_portal:recipient", location.pk, recipient.pk)
    elif text:
        found, terms = recipients_look_up(actor=request.user, location=location, text=text)
    return render(request, "provider_portal/checkin/checkin.html", {
        "location": location, "form": form, "searched": bool(text) and not form.errors, "found": found,
        "terms": terms, "queue": checkin_queue(location),
        "appointments": appointments_to_check_in(location=location, day=timezone.localdate()),
        "can_administer": holds_role_at(request.user, location, ADMINISTER_ROLES),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*CHECKIN_ROLES)
def walk_in(request, location_id):
    location = access_checkin_location_by_user(request.user, location_id)
    form = WalkInForm(request.POST if request.method == "POST" else None)
    duplicate = None
    if form.is_bound and form.is_valid():
        try:
            checked_in = checkin_walk_in(location=location, actor=request.user, **form.walk_in())
        except DuplicateRecipient as refusal:
            duplicate = refusal.existing
            form.add_error(None, str(refusal))
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            name = _name(checked_in.recipient)
            messages.success(request, _("%(name)s is registered and checked in.") % {"name": name})
            return redirect("provider_portal:checkin", location.pk)
    return render(request, "provider_portal/checkin/walk_in.html", {
        "location": location, "form": form, "duplicate": duplicate,
    }, status=400 if form.errors else 200)


@require_GET
@role_required(*CHECKIN_ROLES)
def recipient_detail(request, location_id, recipient_id):
    location, recipient = access_recipient_by_user(request.user, location_id, recipient_id)
    recipient_record_open(actor=request.user, location=location, recipient=recipient)
    can_administer = holds_role_at(request.user, location, ADMINISTER_ROLES)
    return render(request, "provider_portal/checkin/recipient.html", {
        "location": location, "recipient": recipient, "waiting": checkin_waiting(location, recipient),
        "can_administer": can_administer, "doses": recipient_doses(recipient) if can_administer else None,
    })


@require_POST
@role_required(*CHECKIN_ROLES)
def checkin_add(request, location_id, recipient_id):
    location, recipient = access_recipient_by_user(request.user, location_id, recipient_id)
    try:
        recipient_check_in(location=location, recipient=recipient, actor=request.user)
    except AlreadyWaiting as refusal:
        messages.info(request, str(refusal))
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": _name(recipient)})
    return redirect("provider_portal:checkin", location.pk)


@require_POST
@role_required(*CHECKIN_ROLES)
def checkin_left(request, location_id, checkin_id):
    waiting = access_checkin_by_user(request.user, location_id, checkin_id)
    try:
        checkin_close_left(checkin=waiting, actor=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("%(name)s left without a dose.") % {"name": _name(waiting.recipient)})
    return redirect("provider_portal:checkin", location_id)
