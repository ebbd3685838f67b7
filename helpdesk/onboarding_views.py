"""HCP Onboarding & Recipient Bulk Upload: a provider files the HCP User Onboarding Template as a
case (``helpdesk.onboarding``); the template is downloaded here."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from cvms.core.errors import ServiceError
from helpdesk.access import locations_for_provider
from helpdesk.case_views import _refuse, _submitted
from helpdesk.forms import OnboardingForm, RecipientUploadForm
from helpdesk.onboarding import (
    onboarding_case_open,
    onboarding_template_csv,
    onboarding_template_xlsx,
    recipient_upload_case_open,
)
from helpdesk.services import provider_organization_default

_TEMPLATES = {
    "csv": ("text/csv", onboarding_template_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", onboarding_template_xlsx),
}


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request):
    """Both forms on one page; ``kind`` says which one was sent."""
    sent = request.POST.get("kind") if request.method == "POST" else None
    data = (request.POST, request.FILES)
    forms = {"hcp": OnboardingForm(*(data if sent == "hcp" else ()), auto_id="hcp_%s"),
             "recipients": RecipientUploadForm(*(data if sent == "recipients" else ()), auto_id="recipients_%s",
                                               locations=locations_for_provider(request.user))}
    form, opener = forms.get(sent), {"hcp": onboarding_case_open, "recipients": recipient_upload_case_open}.get(sent)
    if form is not None and form.is_valid():
        try:
            case = opener(actor=request.user, language=translation.get_language(), **form.cleaned_data)
        except ServiceError as refusal:
            _refuse(form, refusal)
        else:
            return _submitted(request, case)
    return render(request, "helpdesk/onboarding/new.html", {
        "hcp_form": forms["hcp"], "recipients_form": forms["recipients"],
        "default_organization": provider_organization_default(user=request.user)},
        status=400 if form is not None and form.errors or request.method == "POST" and form is None else 200)


@require_GET
def onboarding_template(request, kind):
    content_type, build = _TEMPLATES[kind]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="hcp-user-onboarding-template.{kind}"'
    return response
