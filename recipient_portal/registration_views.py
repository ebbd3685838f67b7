"""The COVID-19 Vaccination Registration form (the signed-in recipient's own record), where a
recipient lands after getting in until they complete it, and "Request a correction" of the name,
date of birth or a dose that staff act on (FAQ 31, 34). Not registering is a valid choice (FAQ 33):
nothing else waits for it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.eligibility.selectors import recipient_answers
from cvms.recipients.registration import recipient_registration_complete, registration_identity_locked
from cvms.recipients.requests import recipient_request_open
from recipient_portal.access import access_recipient_by_user, access_recipient_requests
from recipient_portal.registration_forms import CorrectionForm, RegistrationForm


def landing_after_getting_in(recipient) -> str:
    """Where a recipient goes once they have a password or a record: the registration form until
    they have completed it, the portal home after."""
    return "recipient_portal:home" if recipient.registered_at else "recipient_portal:registration"


@require_http_methods(["GET", "POST"])
@role_required(Role.RECIPIENT)
def registration(request):
    recipient = access_recipient_by_user(request.user)
    locked = registration_identity_locked(recipient)
    form = RegistrationForm(request.POST or None, initial=RegistrationForm.initial_from(recipient),
                            identity_locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            recipient_registration_complete(recipient=recipient, actor=request.user, **form.registration())
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("Your registration is saved. You can update it at any time."))
            has_group = recipient_answers(recipient) is not None
            return redirect("recipient_portal:home" if has_group else "recipient_portal:group_questions")
    return render(request, "recipient_portal/registration/form.html",
                  {"recipient": recipient, "form": form, "locked": locked}, status=400 if form.errors else 200)


@require_GET
@role_required(Role.RECIPIENT)
def requests(request):
    recipient = access_recipient_by_user(request.user)
    return render(request, "recipient_portal/registration/requests.html",
                  {"recipient": recipient, "requests": access_recipient_requests(recipient)})


@require_http_methods(["GET", "POST"])
@role_required(Role.RECIPIENT)
def correction_request(request):
    recipient = access_recipient_by_user(request.user)
    form = CorrectionForm(request.POST or None, initial={"subject": request.GET.get("about", "")[:16]})
    if request.method == "POST" and form.is_valid():
        try:
            recipient_request_open(recipient=recipient, actor=request.user, **form.cleaned_data)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("Your request is sent. We will email you when staff have answered it."))
            return redirect("recipient_portal:requests")
    return render(request, "recipient_portal/registration/correction.html", {"form": form},
                  status=400 if form.errors else 200)
