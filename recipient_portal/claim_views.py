"""Claim a record without a phone call: names and date of birth, a one-time code sent to the
email or phone on file, then a password. The claim lives in the session; no page shows anything
of the record before its code is proven."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from cvms.accounts.language import language_chosen
from cvms.accounts.lockout import SignInPaused
from cvms.accounts.selectors import user_roles
from cvms.accounts.services import user_language_set
from cvms.accounts.views import signin_paused
from cvms.core.client_ip import client_ip
from cvms.recipients.claims import (
    ClaimRefused,
    access_proven_claim,
    claim_begin,
    claim_code_prove,
    claim_complete,
    claim_link_account,
    claim_needs_email,
)
from cvms.recipients.models import Recipient
from recipient_portal.claim_forms import ClaimCodeForm, ClaimFindForm, ClaimPasswordForm
from recipient_portal.registration_views import landing_after_getting_in

_SESSION = "recipient_portal.claim"


def _has_record(request) -> bool:
    """Signed in with a record or a role already: nothing to claim (someone who signed up and has
    neither may claim theirs into that account)."""
    user = request.user
    return user.is_authenticated and (bool(user_roles(user)) or Recipient.objects.filter(user=user).exists())


def _signed_in(request):
    messages.info(request, _("You are signed in already. Sign out first to claim another record."))
    return redirect("home")


@require_http_methods(["GET", "POST"])
def claim_start(request):
    if _has_record(request):
        return _signed_in(request)
    form = ClaimFindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _claimed_too_often(request):
            return render(request, "recipient_portal/claim/limited.html", status=429)
        try:
            started = claim_begin(**form.cleaned_data, client_ip=client_ip(request))
        except ClaimRefused as problem:
            form.add_error(None, str(problem))
        else:
            request.session[_SESSION] = {"id": started.claim_id, "channel": started.channel, "to": started.masked}
            return redirect("recipient_portal:claim_code")
    return render(request, "recipient_portal/claim/start.html", {"form": form})


@require_http_methods(["GET", "POST"])
def claim_code(request):
    if _has_record(request):
        return _signed_in(request)
    started = request.session.get(_SESSION)
    if not started:
        return redirect("recipient_portal:claim")
    form = ClaimCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim_code_prove(claim_id=started["id"], code=form.cleaned_data["code"], client_ip=client_ip(request))
        except SignInPaused as paused:
            return signin_paused(request, paused)
        except ClaimRefused as problem:
            form.add_error("code", str(problem))
        else:
            return redirect("recipient_portal:claim_password")
    return render(request, "recipient_portal/claim/code.html", {"form": form, "started": started})


@require_http_methods(["GET", "POST"])
def claim_password(request):
    if _has_record(request):
        return _signed_in(request)
    try:
        claim = access_proven_claim(claim_id=(request.session.get(_SESSION) or {}).get("id"))
    except ClaimRefused as problem:
        messages.error(request, str(problem))
        return redirect("recipient_portal:claim")
    if request.user.is_authenticated:
        return _claim_to_account(request, claim)
    form = ClaimPasswordForm(request.POST or None, recipient=claim.recipient, needs_email=claim_needs_email(claim))
    if request.method == "POST" and form.is_valid():
        try:
            user = claim_complete(claim_id=claim.pk, password=form.cleaned_data["password1"],
                                  email=form.cleaned_data.get("email", ""))
        except ClaimRefused as problem:
            form.add_error(None, str(problem))
        else:
            request.session.pop(_SESSION, None)
            if chosen := language_chosen(request):  # the language the person claimed in, not the file's
                user_language_set(user=user, language=chosen, actor=user)
            login(request, user)
            messages.success(request, _("Your record is yours now. Your username is %(username)s.")
                             % {"username": user.username})
            return redirect(landing_after_getting_in(claim.recipient))
    return render(request, "recipient_portal/claim/password.html", {"form": form, "recipient": claim.recipient})


def _claim_to_account(request, claim):
    """Someone signed in without a record proved the code: the record joins their account."""
    if request.method == "POST":
        try:
            claim_link_account(claim_id=claim.pk, user=request.user)
        except ClaimRefused as problem:
            messages.error(request, str(problem))
            return redirect("recipient_portal:claim")
        request.session.pop(_SESSION, None)
        messages.success(request, _("Your record is now part of your account."))
        return redirect(landing_after_getting_in(claim.recipient))
    return render(request, "recipient_portal/claim/password.html", {"form": None, "recipient": claim.recipient})


def _claimed_too_often(request) -> bool:
    return is_ratelimited(request, group="recipient_portal.claim", increment=True,
                          key=lambda _group, request: client_ip(request) or "unknown",
                          rate=f"{settings.CVMS_CLAIMS_PER_ADDRESS}/h")
