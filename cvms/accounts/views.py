from allauth.account import views as allauth_views
from allauth.account.forms import UserTokenForm
from allauth.account.models import get_emailconfirmation_model
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from cvms.accounts.forms import InvitationRegisterForm, PermanentPasswordForm
from cvms.accounts.language import language_from_link
from cvms.accounts.lockout import SignInPaused
from cvms.accounts.models import Role
from cvms.accounts.selectors import home_url_for, user_has_role
from cvms.accounts.services import (
    InvitationInvalid,
    account_claimable,
    invitation_accept,
    invitation_account,
    invitation_for_token,
    invitation_is_for,
    invitation_language,
    invitation_register,
    user_language_set,
)
from cvms.accounts.temporary import password_change_required, password_make_permanent
from cvms.core import links


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link in an invitation email: register (or, signed in as the invited person, accept)
    and land in the portal of the invited role."""
    try:
        invite = invitation_for_token(token)
    except InvitationInvalid as problem:
        return render(request, "accounts/invitation_invalid.html", {"problem": problem}, status=410)
    existing = invitation_account(invite)
    language_from_link(request, link=token, language=invitation_language(invite))
    if request.user.is_authenticated:
        return _accept_signed_in(request, invite)
    if existing is not None and not account_claimable(existing):
        return render(request, "accounts/invitation.html", {"invitation": invite, "sign_in_first": True})
    form = InvitationRegisterForm(request.POST or None, invitation=invite,
                                  initial={"first_name": invite.first_name, "last_name": invite.last_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = invitation_register(invitation=invite, first_name=data["first_name"], last_name=data["last_name"],
                                       password=data["password1"], preferred_language=request.LANGUAGE_CODE)
        except InvitationInvalid as problem:
            return render(request, "accounts/invitation_invalid.html", {"problem": problem}, status=409)
        login(request, user)
        messages.success(request, _("Welcome. Your account is ready."))
        return redirect(home_url_for(user))
    return render(request, "accounts/invitation.html", {"invitation": invite, "form": form,
                                                        "unconfirmed_account": existing is not None})


def _accept_signed_in(request, invite):
    if request.method == "POST":
        try:
            invitation_accept(invitation=invite, user=request.user)
        except InvitationInvalid as problem:
            return render(request, "accounts/invitation_invalid.html", {"problem": problem}, status=403)
        messages.success(request, _("Invitation accepted."))
        return redirect(home_url_for(request.user))
    mine = invitation_is_for(invitation=invite, user=request.user)
    return render(request, "accounts/invitation.html", {"invitation": invite, "accept": mine,
                                                        "someone_else": not mine}, status=200 if mine else 403)


def signin_paused(request, paused: SignInPaused):
    """The answer to a sign-in the lockout refused (see ``SignInMiddleware``)."""
    response = render(request, "accounts/signin_paused.html",
                      {"minutes": paused.minutes_left(), "reset_url": reverse("account_reset_password")}, status=429)
    response["Retry-After"] = str(paused.seconds_left())
    return response


@require_POST
def language_set(request):
    """The language switcher: Django's ``set_language`` (the cookie), and for a signed-in user
    their preferred language too, so emails and their next sign-in follow the choice."""
    response = set_language(request)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language"), actor=request.user)
    return response


def password_reset_from_key(request, uidb36, key):
    """allauth's page behind the password-reset email, opened in the account's language."""
    tokens = UserTokenForm(data={"uidb36": uidb36, "key": key})
    if key != allauth_views.PasswordResetFromKeyView.reset_url_key and tokens.is_valid():
        language_from_link(request, link=key, language=tokens.reset_user.preferred_language)
    return allauth_views.password_reset_from_key(request, uidb36=uidb36, key=key)


def confirm_email(request, key):
    """allauth's page behind the address-confirmation email, opened in the account's language."""
    confirmation = get_emailconfirmation_model().from_key(key)
    if confirmation is not None:
        language_from_link(request, link=key, language=confirmation.email_address.user.preferred_language)
    return allauth_views.confirm_email(request, key=key)


def email_manage(request):
    """allauth's page of a person's email addresses. A recipient's email is their vaccine record's
    too, so it changes on their preferences page only, where the new address is proven and the
    record and the username follow it."""
    if request.user.is_authenticated and user_has_role(request.user, Role.RECIPIENT):
        return redirect(links.link_path(links.RECIPIENT_PREFERENCES))
    return allauth_views.email(request)


@login_required
@require_http_methods(["GET", "POST"])
def password_permanent(request):
    """Signed in with an emailed temporary password: choose the permanent one before anything else
    (``PermanentPasswordMiddleware`` sends every other page here)."""
    if not password_change_required(request.user):
        return redirect(home_url_for(request.user))
    form = PermanentPasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        password_make_permanent(user=request.user, password=form.cleaned_data["password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your permanent password is set. Use it from now on."))
        return redirect(home_url_for(request.user))
    return render(request, "accounts/password_permanent.html", {"form": form})
