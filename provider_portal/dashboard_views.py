"""The dashboards of a location and of an organization (the same figures across its locations):
each figure a chart, its table and a CSV download, filtered by dates and product. The figures are
``cvms.dashboards``' selectors over the real tables."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.core.spreadsheet import csv_stream
from cvms.dashboards.figures import FIGURE_KEYS, FIGURE_NOTES, dashboard_table, dashboard_tables
from cvms.dashboards.roles import LOCATION_DASHBOARD_ROLES, ORGANIZATION_DASHBOARD_ROLES
from provider_portal.access import access_dashboard_organization_by_user, access_location_by_user
from provider_portal.dashboard_forms import DashboardFilterForm


def _page(request, form, template, **context):
    tables = dashboard_tables(scope=form.scope) if form.is_valid() else []
    return render(request, f"provider_portal/dashboard/{template}.html", {
        "form": form, "tables": tables, "notes": FIGURE_NOTES, **context,
    }, status=400 if form.errors else 200)


def _csv(request, form, figure, name, page):
    """``figure``'s CSV, or the page with the filters' errors."""
    if figure not in FIGURE_KEYS:
        raise Http404
    if not form.is_valid():
        return page()
    scope = form.scope
    table = dashboard_table(scope=scope, key=figure)
    filename = f"{figure}-{name}-{scope.start:%Y-%m-%d}-{scope.end:%Y-%m-%d}.csv"
    return StreamingHttpResponse(csv_stream([table.columns, *table.rows]), content_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": content_disposition_header(True, filename)})


def _location(request, location_id):
    location = access_location_by_user(request.user, location_id, LOCATION_DASHBOARD_ROLES)
    return location, DashboardFilterForm(request.GET, location_ids=[location.pk])


@require_GET
@role_required(*LOCATION_DASHBOARD_ROLES)
def location_dashboard(request, location_id):
    location, form = _location(request, location_id)
    return _page(request, form, "location", location=location)


@require_GET
@role_required(*LOCATION_DASHBOARD_ROLES)
def location_dashboard_csv(request, location_id, figure):
    location, form = _location(request, location_id)
    return _csv(request, form, figure, location.provider_pin or location.pk,
                lambda: _page(request, form, "location", location=location))


def _organization(request, organization_id):
    organization = access_dashboard_organization_by_user(request.user, organization_id)
    locations = list(organization.locations.values_list("pk", flat=True))
    return organization, DashboardFilterForm(request.GET, location_ids=locations)


@require_GET
@role_required(*ORGANIZATION_DASHBOARD_ROLES)
def organization_dashboard(request, organization_id):
    organization, form = _organization(request, organization_id)
    return _page(request, form, "organization", organization=organization)


@require_GET
@role_required(*ORGANIZATION_DASHBOARD_ROLES)
def organization_dashboard_csv(request, organization_id, figure):
    organization, form = _organization(request, organization_id)
    return _csv(request, form, figure, f"organization-{organization.pk}",
                lambda: _page(request, form, "organization", organization=organization))
