from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cvms.accounts.forms import InvitationRegisterForm
from cvms.accounts.lockout import SignInPaused
from cvms.accounts.logins import normalize_login
from cvms.accounts.models import User
from cvms.accounts.selectors import home_url_for
from cvms.accounts.services import InvitationInvalid, invitation_accept, invitation_for_token, invitation_register


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link in an invitation email: register (or, signed in as the invited person, accept)
    and land in the portal of the invited role."""
    try:
        invite = invitation_for_token(token)
    except InvitationInvalid as problem:
        return render(request, "accounts/invitation_invalid.html", {"problem": problem}, status=410)
    if request.user.is_authenticated:
        return _accept_signed_in(request, invite)
    if User.objects.filter(username=normalize_login(invite.email)).exists():
        return render(request, "accounts/invitation.html", {"invitation": invite, "sign_in_first": True})
    form = InvitationRegisterForm(request.POST or None, invitation=invite,
                                  initial={"first_name": invite.first_name, "last_name": invite.last_name})
    if request.method == "POST" and form.is_valid():
        user = invitation_register(invitation=invite, first_name=form.cleaned_data["first_name"],
                                   last_name=form.cleaned_data["last_name"], password=form.cleaned_data["password1"])
        login(request, user)
        messages.success(request, _("Welcome. Your account is ready."))
        return redirect(home_url_for(user))
    return render(request, "accounts/invitation.html", {"invitation": invite, "form": form})


def _accept_signed_in(request, invite):
    if request.method == "POST":
        try:
            invitation_accept(invitation=invite, user=request.user)
        except InvitationInvalid as problem:
            return render(request, "accounts/invitation_invalid.html", {"problem": problem}, status=403)
        messages.success(request, _("Invitation accepted."))
        return redirect(home_url_for(request.user))
    mine = normalize_login(request.user.email) == normalize_login(invite.email)
    return render(request, "accounts/invitation.html", {"invitation": invite, "accept": mine,
                                                        "someone_else": not mine}, status=200 if mine else 403)


def signin_paused(request, paused: SignInPaused):
    """The answer to a sign-in the lockout refused (see ``SignInPausedMiddleware``)."""
    response = render(request, "accounts/signin_paused.html",
                      {"minutes": paused.minutes_left(), "reset_url": reverse("account_reset_password")}, status=429)
    response["Retry-After"] = str(paused.seconds_left())
    return response
