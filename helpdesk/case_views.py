"""Filing and following cases: provider Get Help, the public recipient form, the confirmation
screen, My Lists (a requester's own cases, their history, a reply when asked) and attachments."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from cvms.core.client_ip import client_ip
from cvms.core.errors import ServiceError
from helpdesk import access
from helpdesk.access import access_loaded_recipient_for_provider
from helpdesk.forms import CaseReplyForm, ProviderCaseForm, RecipientCaseForm
from helpdesk.models import REQUESTER_VISIBLE, CaseStatus, Channel, RequestType
from helpdesk.services import case_open, case_requester_reply, provider_organization_default

_SUBMITTED = "helpdesk_case_submitted"


def _refuse(form, refusal: ServiceError) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))


def _submitted(request, case):
    request.session[_SUBMITTED] = case.number
    return redirect("helpdesk:case_submitted")


@login_required
@require_http_methods(["GET", "POST"])
def provider_new(request):
    about = request.POST.get("about") or request.GET.get("about")
    recipient, location = access_loaded_recipient_for_provider(request.user, about) if about else (None, None)
    form = ProviderCaseForm(request.POST or None, request.FILES or None,
                            initial=_removal_initial(recipient, location) if recipient else None)
    if request.method == "POST" and form.is_valid():
        form.cleaned_data.pop("about")
        try:
            case = case_open(actor=request.user, channel=Channel.PROVIDER, language=translation.get_language(),
                             recipient=recipient, location=location, **form.cleaned_data)
        except ServiceError as refusal:
            _refuse(form, refusal)
        else:
            return _submitted(request, case)
    return render(request, "helpdesk/cases/provider_new.html", {
        "form": form, "default_organization": provider_organization_default(user=request.user)},
        status=400 if form.errors else 200)


def _removal_initial(recipient, location) -> dict:
    return {"about": recipient.pk, "request_type": RequestType.RECIPIENT_REMOVAL,
            "description": _("Please remove %(name)s, born %(born)s, loaded at %(location)s (%(pin)s). Reason: ") % {
                "name": f"{recipient.first_name} {recipient.last_name}",
                "born": recipient.date_of_birth.strftime("%m/%d/%Y"), "location": location.name,
                "pin": location.provider_pin or "—"}}


@require_http_methods(["GET", "POST"])
def recipient_new(request):
    form = RecipientCaseForm(request.POST or None)
    if request.method == "POST":
        if _too_many_cases(request):
            form.add_error(None, _("Too many requests came from your connection in the last hour. Please try again "
                                   "later, or call the help center."))
            return render(request, "helpdesk/cases/recipient_new.html", {"form": form}, status=429)
        if form.is_valid() and form.cleaned_data.pop("website"):
            form.add_error(None, _("Your request could not be sent. Leave the field \"Leave this field empty\" "
                                   "empty and send it again."))
        elif form.is_valid():
            try:
                case = case_open(actor=request.user, channel=Channel.RECIPIENT,
                                 language=translation.get_language(), **form.cleaned_data)
            except ServiceError as refusal:
                _refuse(form, refusal)
            else:
                return _submitted(request, case)
    return render(request, "helpdesk/cases/recipient_new.html", {"form": form}, status=400 if form.errors else 200)


def _too_many_cases(request) -> bool:
    """``CVMS_RECIPIENT_CASES_PER_ADDRESS`` posts an hour from one client address, in the cache."""
    return is_ratelimited(request, group="helpdesk.recipient_case", increment=True,
                          key=lambda _group, request: client_ip(request) or "unknown",
                          rate=f"{settings.CVMS_RECIPIENT_CASES_PER_ADDRESS}/h")


@require_GET
def case_submitted(request):
    number = request.session.get(_SUBMITTED)
    if not number:
        return redirect("helpdesk:home")
    return render(request, "helpdesk/cases/submitted.html", {"number": number})


@login_required
@require_GET
def case_list(request):
    cases = access.cases_for_requester(request.user).order_by("-created_at", "-id")
    return render(request, "helpdesk/cases/list.html", {"cases": cases})


@login_required
@require_GET
def case_detail(request, case_number):
    case = access.access_case_by_requester(request.user, case_number)
    return _detail(request, case, CaseReplyForm())


def _detail(request, case, form, status=200):
    messages = case.messages.filter(kind__in=REQUESTER_VISIBLE).prefetch_related("attachments")
    return render(request, "helpdesk/cases/detail.html", {
        "case": case, "history": messages, "attachments": case.attachments.filter(message__isnull=True),
        "form": form if case.status == CaseStatus.AWAITING_INFO or form.errors else None}, status=status)


@login_required
@require_POST
def case_reply(request, case_number):
    case = access.access_case_by_requester(request.user, case_number)
    form = CaseReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            case_requester_reply(case=case, actor=request.user, **form.cleaned_data)
        except ServiceError as refusal:
            _refuse(form, refusal)
        else:
            return redirect("helpdesk:case_detail", case_number=case.number)
    return _detail(request, case, form, status=400)


@login_required
@require_GET
def attachment_download(request, case_number, attachment_id):
    attachment = access.access_attachment_by_requester(request.user, case_number, attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                        content_type=attachment.content_type)
