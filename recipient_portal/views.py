from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from cvms.accounts.language import language_chosen, language_from_link
from cvms.accounts.logins import normalize_login
from cvms.accounts.models import Role
from cvms.accounts.selectors import user_has_role, user_roles
from cvms.accounts.services import user_language_set
from cvms.core.client_ip import client_ip
from cvms.immunizations.choices import ImmunizationStatus
from cvms.recipients.models import Recipient
from cvms.recipients.welcome import (
    WelcomeLinkExpired,
    WelcomeLinkInvalid,
    WelcomeLinkUsed,
    recipient_account_activate,
    recipient_for_welcome_token,
    welcome_email_resend,
)
from recipient_portal.access import access_recipient_by_user
from recipient_portal.forms import ResendWelcomeForm, SetPasswordForm
from recipient_portal.registration_views import landing_after_getting_in


@require_GET
@login_required
def home(request):
    if not user_has_role(request.user, Role.RECIPIENT):
        if user_roles(request.user):
            raise PermissionDenied
        return redirect("recipient_portal:register")  # signed up, no record yet: register or claim one
    recipient = access_recipient_by_user(request.user)
    immunizations = recipient.immunizations.filter(status=ImmunizationStatus.COMPLETED).select_related(
        "lot__product", "location"
    ).order_by("administered_at")
    return render(request, "recipient_portal/home.html", {"recipient": recipient, "immunizations": immunizations})


@require_http_methods(["GET", "POST"])
def welcome(request, token):
    """The link in the welcome email: set a password once, then land in the portal. Someone
    already signed in (another person on a shared computer) cannot claim the account."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("Sign out before you use a welcome link."))
    try:
        recipient = recipient_for_welcome_token(token)
    except WelcomeLinkInvalid as problem:
        _addressee_language(request, token, username=str(problem))
        return render(request, "recipient_portal/welcome_invalid.html", {
            "expired": isinstance(problem, WelcomeLinkExpired), "used": isinstance(problem, WelcomeLinkUsed),
            "form": ResendWelcomeForm(initial={"username": str(problem)}),
        }, status=410 if isinstance(problem, WelcomeLinkExpired) else 400)
    language_from_link(request, link=token, language=recipient.preferred_language)
    form = SetPasswordForm(request.POST or None, recipient=recipient)
    if request.method == "POST" and form.is_valid():
        try:
            user = recipient_account_activate(recipient=recipient, password=form.cleaned_data["password1"])
        except WelcomeLinkUsed:
            messages.info(request, _("Your password is already set. Sign in with your username."))
            return redirect("account_login")
        if chosen := language_chosen(request):  # the page's language, once the browser holds one
            user_language_set(user=user, language=chosen, actor=user)
        login(request, user)
        messages.success(request, _("Your password is set. Welcome to the COVID-19 Vaccine Portal."))
        return redirect(landing_after_getting_in(recipient))
    return render(request, "recipient_portal/welcome.html", {"recipient": recipient, "form": form})


def _addressee_language(request, token, *, username: str) -> None:
    """An expired or used welcome link still opens in its addressee's language."""
    if not username:  # a forged or garbled link names nobody
        return
    language = Recipient.objects.filter(portal_username=username).values_list("preferred_language", flat=True).first()
    if language:
        language_from_link(request, link=token, language=language)


@require_POST
def welcome_resend(request):
    """Ask for a new welcome link (anyone may, without signing in). The answer is the same whether
    or not the username exists or has just had a new link; an address asking too often is slowed
    down before any username is looked up."""
    if _asked_too_often(request):
        return render(request, "recipient_portal/welcome_resend_limited.html", status=429)
    form = ResendWelcomeForm(request.POST)
    if form.is_valid():
        recipient = Recipient.objects.filter(portal_username=normalize_login(form.cleaned_data["username"])).first()
        if recipient is not None:
            welcome_email_resend(recipient=recipient, client_ip=client_ip(request))
        messages.success(request, _("If that username is on file and its password is not set yet, a new link is on "
                                    "its way to its email address. One new link is sent every %(minutes)s minutes at "
                                    "most: if one came recently, use it.")
                         % {"minutes": settings.CVMS_WELCOME_RESEND_MINUTES})
        return redirect("home")
    return render(request, "recipient_portal/welcome_invalid.html", {"expired": True, "form": form}, status=400)


def _asked_too_often(request) -> bool:
    """``CVMS_WELCOME_RESENDS_PER_ADDRESS`` requests an hour from one client address, counted in
    the cache (each recipient's own limit is kept in PostgreSQL by ``welcome_email_resend``)."""
    return is_ratelimited(request, group="recipient_portal.welcome_resend", increment=True,
                          key=lambda _group, request: client_ip(request) or "unknown",
                          rate=f"{settings.CVMS_WELCOME_RESENDS_PER_ADDRESS}/h")
