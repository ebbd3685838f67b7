"""Registering on your own (FAQ 29): open once the state switches on ``CVMS_SELF_REGISTRATION``.
Someone signs up (allauth: email and password, the email proven), then gives their legal names and
date of birth here. While it is off, this page says how to get vaccinated instead, and a signed-in
person with no record lands here rather than on a 403."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cvms.core.errors import ServiceError
from cvms.recipients.models import Recipient
from cvms.recipients.signup import AlreadyOnFile, recipient_self_register
from recipient_portal.registration_views import landing_after_getting_in
from recipient_portal.signup_forms import RegisterForm


@require_http_methods(["GET", "POST"])
def register(request):
    user = request.user
    if user.is_authenticated and Recipient.objects.filter(user=user).exists():
        return redirect("recipient_portal:home")
    open_ = settings.CVMS_SELF_REGISTRATION
    form = RegisterForm(request.POST or None) if open_ and user.is_authenticated else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            recipient = recipient_self_register(user=user, **form.cleaned_data)
        except AlreadyOnFile as problem:
            messages.info(request, str(problem))
            return redirect("recipient_portal:claim")
        except ServiceError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("You are registered. Welcome to the COVID-19 Vaccine Portal."))
            return redirect(landing_after_getting_in(recipient))
    return render(request, "recipient_portal/register.html", {"form": form, "open": open_})
