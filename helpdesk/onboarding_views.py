"""HCP Onboarding & Recipient Bulk Upload: a provider files the HCP User Onboarding Template as a
case (``helpdesk.onboarding``); the template is downloaded here."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from cvms.core.errors import ServiceError
from helpdesk.case_views import _refuse, _submitted
from helpdesk.forms import OnboardingForm
from helpdesk.onboarding import onboarding_case_open, onboarding_template_csv, onboarding_template_xlsx
from helpdesk.services import provider_organization_default

_TEMPLATES = {
    "csv": ("text/csv", onboarding_template_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", onboarding_template_xlsx),
}


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request):
    form = OnboardingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = onboarding_case_open(actor=request.user, language=translation.get_language(), **form.cleaned_data)
        except ServiceError as refusal:
            _refuse(form, refusal)
        else:
            return _submitted(request, case)
    return render(request, "helpdesk/onboarding/new.html", {
        "form": form, "default_organization": provider_organization_default(user=request.user)},
        status=400 if form.errors else 200)


@require_GET
def onboarding_template(request, kind):
    content_type, build = _TEMPLATES[kind]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="hcp-user-onboarding-template.{kind}"'
    return response
