"""A location's dashboard: each figure a chart, its table and a CSV download, filtered by dates and
product. The figures are ``cvms.dashboards``' selectors over the real tables."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.core.spreadsheet import csv_stream
from cvms.dashboards.figures import FIGURE_KEYS, FIGURE_NOTES, dashboard_table, dashboard_tables
from cvms.dashboards.roles import LOCATION_DASHBOARD_ROLES
from provider_portal.access import access_location_by_user
from provider_portal.dashboard_forms import DashboardFilterForm


def _page(request, location, form):
    tables = dashboard_tables(scope=form.scope) if not form.errors else []
    return render(request, "provider_portal/dashboard/location.html", {
        "location": location, "form": form, "tables": tables, "notes": FIGURE_NOTES,
    }, status=400 if form.errors else 200)


@require_GET
@role_required(*LOCATION_DASHBOARD_ROLES)
def location_dashboard(request, location_id):
    location = access_location_by_user(request.user, location_id, LOCATION_DASHBOARD_ROLES)
    return _page(request, location, DashboardFilterForm(request.GET, location_ids=[location.pk]))


@require_GET
@role_required(*LOCATION_DASHBOARD_ROLES)
def location_dashboard_csv(request, location_id, figure):
    location = access_location_by_user(request.user, location_id, LOCATION_DASHBOARD_ROLES)
    if figure not in FIGURE_KEYS:
        raise Http404
    form = DashboardFilterForm(request.GET, location_ids=[location.pk])
    if not form.is_valid():
        return _page(request, location, form)
    table = dashboard_table(scope=form.scope, key=figure)
    scope = form.scope
    filename = f"{figure}-{location.provider_pin or location.pk}-{scope.start:%Y-%m-%d}-{scope.end:%Y-%m-%d}.csv"
    return StreamingHttpResponse(csv_stream([table.columns, *table.rows]), content_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": content_disposition_header(True, filename)})
