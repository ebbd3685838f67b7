"""The Immunization Branch's side: the review queue, a version under review, the decision."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.core.forms import add_refusal
from enrollment.access import access_review_version_by_user
from enrollment.forms import DecisionForm, ReviewFilterForm
from enrollment.models import VersionStatus
from enrollment.selectors import agreement_history, review_queue, version_changes
from enrollment.services import EnrollmentError
from enrollment.services.decisions import version_decide

_DECIDED = {
    VersionStatus.APPROVED: _("Approved. The organization and its locations are active."),
    VersionStatus.RETURNED: _("Returned to the organization for changes."),
    VersionStatus.REJECTED: _("Rejected."),
}


@require_GET
@role_required(Role.STATE_STAFF)
def queue(request):
    filters = ReviewFilterForm(request.GET or {"status": VersionStatus.SUBMITTED})
    filters.is_valid()
    page = Paginator(review_queue(**filters.cleaned_data), 50).get_page(request.GET.get("page"))
    return render(request, "enrollment/review/queue.html", {"filters": filters, "page": page})


def _detail(request, version, form, status=200):
    return render(request, "enrollment/review/detail.html", {
        "version": version, "agreement": version.agreement, "form": form,
        "history": agreement_history(version.agreement), "changes": version_changes(version),
    }, status=status)


@require_GET
@role_required(Role.STATE_STAFF)
def detail(request, version_id):
    version = access_review_version_by_user(request.user, version_id)
    return _detail(request, version, DecisionForm() if version.status == VersionStatus.SUBMITTED else None)


@require_POST
@role_required(Role.STATE_STAFF)
def decide(request, version_id):
    version = access_review_version_by_user(request.user, version_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            version_decide(version=version, actor=request.user, **form.cleaned_data)
        except EnrollmentError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _DECIDED[form.cleaned_data["decision"]])
            return redirect("enrollment:review", version.pk)
    return _detail(request, version, form, status=400)
