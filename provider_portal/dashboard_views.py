"""The dashboards of a location and of an organization (the same figures across its locations):
each figure a chart, its table and a CSV download, filtered by dates and product. The figures are
``cvms.dashboards``' selectors over the real tables; ``cvms.dashboards.pages`` renders them."""

from django.urls import reverse
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.dashboards.figures import FIGURE_KEYS, FIGURE_NOTES, dashboard_table, dashboard_tables
from cvms.dashboards.forms import LocationsFilterForm
from cvms.dashboards.pages import dashboard_csv, dashboard_page
from cvms.dashboards.roles import LOCATION_DASHBOARD_ROLES, ORGANIZATION_DASHBOARD_ROLES
from provider_portal.access import access_dashboard_organization_by_user, access_location_by_user


def _page(request, kind, form, csv_url_name, owner):
    """The dashboard page of ``owner`` (a location or an organization), for a view to answer with."""
    return lambda: dashboard_page(
        request, f"provider_portal/dashboard/{kind}.html", form=form, tables=dashboard_tables, notes=FIGURE_NOTES,
        csv_path=lambda key: reverse(f"provider_portal:{csv_url_name}", args=[owner.pk, key]), **{kind: owner})


def _location(request, location_id):
    location = access_location_by_user(request.user, location_id, LOCATION_DASHBOARD_ROLES)
    form = LocationsFilterForm(request.GET, location_ids=[location.pk])
    return location, form, _page(request, "location", form, "dashboard_csv", location)


@require_GET
@role_required(*LOCATION_DASHBOARD_ROLES)
def location_dashboard(request, location_id):
    return _location(request, location_id)[2]()


@require_GET
@role_required(*LOCATION_DASHBOARD_ROLES)
def location_dashboard_csv(request, location_id, figure):
    location, form, page = _location(request, location_id)
    return dashboard_csv(form=form, figure=figure, keys=FIGURE_KEYS, table=dashboard_table,
                         name=location.provider_pin or str(location.pk), invalid=page)


def _organization(request, organization_id):
    organization = access_dashboard_organization_by_user(request.user, organization_id)
    form = LocationsFilterForm(request.GET, location_ids=list(organization.locations.values_list("pk", flat=True)))
    return organization, form, _page(request, "organization", form, "organization_dashboard_csv", organization)


@require_GET
@role_required(*ORGANIZATION_DASHBOARD_ROLES)
def organization_dashboard(request, organization_id):
    return _organization(request, organization_id)[2]()


@require_GET
@role_required(*ORGANIZATION_DASHBOARD_ROLES)
def organization_dashboard_csv(request, organization_id, figure):
    organization, form, page = _organization(request, organization_id)
    return dashboard_csv(form=form, figure=figure, keys=FIGURE_KEYS, table=dashboard_table,
                         name=f"organization-{organization.pk}", invalid=page)
