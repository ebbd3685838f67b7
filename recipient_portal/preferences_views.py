"""Contact details and preferences: email, mobile phone, how to be contacted, language (FAQ 31)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cvms.accounts.decorators import role_required
from cvms.accounts.language import language_from_link
from cvms.accounts.models import Role
from cvms.recipients.email_change import (
    EmailChangeLinkGone,
    EmailChangeLinkInvalid,
    EmailChangeLinkNotYours,
    email_change_for_token,
    email_change_username,
    recipient_email_change_confirm,
)
from cvms.recipients.services import recipient_preferences_set
from recipient_portal.access import access_recipient_by_user
from recipient_portal.preferences_forms import PreferencesForm

FIELDS = ("email", "phone", "contact_preference", "preferred_language")


@require_http_methods(["GET", "POST"])
@role_required(Role.RECIPIENT)
def preferences(request):
    recipient = access_recipient_by_user(request.user)
    form = PreferencesForm(request.POST or None, initial={name: getattr(recipient, name) for name in FIELDS})
    if request.method == "POST" and form.is_valid():
        asked = recipient_preferences_set(recipient=recipient, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Your contact details and preferences are saved."))
        if asked:
            messages.info(request, _("We sent a link to %(email)s. Open it to confirm your new email: until then, "
                                     "mail goes to the email on file and you sign in as before.") % {"email": asked})
        response = redirect("recipient_portal:home")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["preferred_language"])
        return response
    return render(request, "recipient_portal/preferences.html", {"form": form, "username": request.user.username})


@require_http_methods(["GET", "POST"])
@role_required(Role.RECIPIENT)
def email_confirm(request, email_token):
    """The link sent to a new email: confirm it (a POST, so a mail scanner opening the link changes
    nothing), signed in as the person who asked."""
    try:
        recipient, new_email = email_change_for_token(token=email_token, user=request.user)
        language_from_link(request, link=email_token, language=recipient.preferred_language)
        if request.method == "POST":
            recipient = recipient_email_change_confirm(token=email_token, user=request.user)
            messages.success(request, _("Your email is now %(email)s. Next time, sign in with %(username)s.")
                             % {"email": recipient.email, "username": request.user.username})
            return redirect("recipient_portal:preferences")
    except EmailChangeLinkInvalid as problem:
        status = 404 if isinstance(problem, EmailChangeLinkNotYours) else 410 if isinstance(
            problem, EmailChangeLinkGone) else 400
        return render(request, "recipient_portal/email_confirm.html", {"problem": problem}, status=status)
    username = email_change_username(user=request.user, old_email=recipient.email, new_email=new_email)
    return render(request, "recipient_portal/email_confirm.html", {"new_email": new_email, "username": username})
