"""Contact details and preferences: email, mobile phone, how to be contacted, language (FAQ 31)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
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
        recipient_preferences_set(recipient=recipient, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Your contact details and preferences are saved."))
        response = redirect("recipient_portal:home")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["preferred_language"])
        return response
    return render(request, "recipient_portal/preferences.html", {"form": form})
