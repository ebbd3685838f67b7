"""The location's Account History (FAQ 26): every dose given there, filtered and paged, and its CSV
export. Read by the people who give vaccine there and by state staff."""

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.immunizations.roles import ADMINISTER_ROLES, HISTORY_ROLES
from cvms.immunizations.selectors import account_history_page
from cvms.immunizations.services.history import account_history_export
from cvms.inventory.roles import holds_role_at
from provider_portal.access import BULK_UPLOAD_ROLES, access_history_location_by_user
from provider_portal.history_forms import AccountHistoryFilterForm


def _history_page(request, location, form, page=None):
    """The Account History with ``page`` of doses, or, for filters that do not read, their errors."""
    return render(request, "provider_portal/history/account_history.html", {
        "location": location, "form": form, "page": page,
        "can_open_records": holds_role_at(request.user, location, ADMINISTER_ROLES),
        "can_bulk_upload": holds_role_at(request.user, location, BULK_UPLOAD_ROLES),
    }, status=400 if form.errors else 200)


@require_GET
@role_required(*HISTORY_ROLES)
def account_history(request, location_id):
    location = access_history_location_by_user(request.user, location_id)
    form = AccountHistoryFilterForm(request.GET, location=location)
    if not form.is_valid():
        return _history_page(request, location, form)
    data = form.cleaned_data
    return _history_page(request, location, form, account_history_page(
        location=location, filters=form.filters, after=data["after"], before=data["before"]))


@require_GET
@role_required(*HISTORY_ROLES)
def account_history_csv(request, location_id):
    location = access_history_location_by_user(request.user, location_id)
    form = AccountHistoryFilterForm(request.GET, location=location)
    if not form.is_valid():
        return _history_page(request, location, form)
    content = account_history_export(location=location, filters=form.filters, actor=request.user)
    filename = f"account-history-{location.provider_pin or location.pk}-{timezone.localdate():%Y-%m-%d}.csv"
    return StreamingHttpResponse(content, content_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": content_disposition_header(True, filename)})
