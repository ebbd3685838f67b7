"""Registering for the help desk with a Provider PIN or the generic code (``helpdesk.registration``)."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from cvms.accounts.backends import PAUSED_ATTRIBUTE
from cvms.accounts.lockout import SignInPaused
from cvms.core.client_ip import client_ip
from cvms.core.forms import add_refusal
from helpdesk.registration import RegistrationRefused, requester_register
from helpdesk.registration_forms import RegisterForm


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("helpdesk:home")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and _registered_too_often(request):
        return render(request, "helpdesk/register/limited.html", status=429)
    if request.method == "POST" and form.is_valid():
        try:
            requester_register(**form.cleaned_data_for_service(), language=request.LANGUAGE_CODE,
                               client_ip=client_ip(request))
        except RegistrationRefused as refusal:
            add_refusal(form, refusal)
        except SignInPaused as paused:
            setattr(request, PAUSED_ATTRIBUTE, paused)  # SignInMiddleware answers with its pause page
        else:
            return redirect("helpdesk:register_sent")
    return render(request, "helpdesk/register/form.html",
                  {"form": form, "generic_code": settings.CVMS_GENERIC_HELPDESK_CODE})


@require_GET
def register_sent(request):
    """The same answer whether the address was new or already had an account: the email says which."""
    return render(request, "helpdesk/register/sent.html")


@require_GET
def terms(request):
    return render(request, "helpdesk/register/terms.html")


def _registered_too_often(request) -> bool:
    return is_ratelimited(request, group="helpdesk.register", increment=True,
                          key=lambda _group, request: client_ip(request) or "unknown",
                          rate=f"{settings.CVMS_HELPDESK_REGISTRATIONS_PER_ADDRESS}/h")
