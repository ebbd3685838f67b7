"""The Immunization Branch's side: the review queue, a version under review, the decision."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from enrollment import services
from enrollment.access import access_review_version_by_user
from enrollment.forms import DecisionForm, ReviewFilterForm
from enrollment.models import VersionStatus
from enrollment.selectors import agreement_history, review_queue

_DECIDE = {
    VersionStatus.APPROVED: (services.version_approve, _("Approved. The organization and its locations are active.")),
    VersionStatus.RETURNED: (services.version_return, _("Returned to the organization for changes.")),
    VersionStatus.REJECTED: (services.version_reject, _("Rejected.")),
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
        "history": agreement_history(version.agreement), "changes": services.version_changes(version),
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
    if not form.is_valid():
        return _detail(request, version, form, status=400)
    action, done = _DECIDE[form.cleaned_data["decision"]]
    try:
        action(version=version, actor=request.user, comments=form.cleaned_data["comments"])
    except services.EnrollmentError as refusal:
        form.add_error("comments" if "comments" in str(refusal) else None, str(refusal))
        return _detail(request, version, form, status=400)
    messages.success(request, done)
    return redirect("enrollment:review", version.pk)
