"""The dashboards of a jurisdiction: a local health department's (its counties) and the state's
(every county), each county a drill-down. Figures from ``cvms.dashboards.jurisdiction``, rendered
by ``cvms.dashboards.pages``."""

from django.conf import settings
from django.urls import reverse
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.dashboards.forms import JurisdictionFilterForm
from cvms.dashboards.jurisdiction_figures import (
    FIGURE_KEYS,
    jurisdiction_notes,
    jurisdiction_table,
    jurisdiction_tables,
)
from cvms.dashboards.pages import dashboard_csv, dashboard_page
from cvms.dashboards.roles import DEPARTMENT_DASHBOARD_ROLES, STATE_DASHBOARD_ROLES
from cvms.organizations.models import served_counties_of
from organization_portal.access import access_department_by_user

TEMPLATE = "organization_portal/dashboard/jurisdiction.html"


def _page(request, form, url_name, args, **context):
    return lambda: dashboard_page(
        request, TEMPLATE, form=form, tables=jurisdiction_tables, notes=jurisdiction_notes(),
        csv_path=lambda key: reverse(f"organization_portal:{url_name}_csv", args=[*args, key]),
        clear_url=reverse(f"organization_portal:{url_name}", args=args), **context)


def _department(request, department_id):
    department = access_department_by_user(request.user, department_id)
    counties = served_counties_of(department)
    form = JurisdictionFilterForm(request.GET, counties=counties, departments=(department.pk,), all_counties=counties)
    return department, form, _page(request, form, "department_dashboard", [department.pk], name=department.name)


@require_GET
@role_required(*DEPARTMENT_DASHBOARD_ROLES)
def department_dashboard(request, department_id):
    return _department(request, department_id)[2]()


@require_GET
@role_required(*DEPARTMENT_DASHBOARD_ROLES)
def department_dashboard_csv(request, department_id, figure):
    department, form, page = _department(request, department_id)
    return dashboard_csv(form=form, figure=figure, keys=FIGURE_KEYS, table=jurisdiction_table,
                         name=f"department-{department.pk}", invalid=page)


def _state(request):
    form = JurisdictionFilterForm(request.GET, counties=None, all_counties=list(settings.CVMS_COUNTIES))
    return form, _page(request, form, "state_dashboard", [], name=settings.CVMS_JURISDICTION_NAME)


@require_GET
@role_required(*STATE_DASHBOARD_ROLES)
def state_dashboard(request):
    return _state(request)[1]()


@require_GET
@role_required(*STATE_DASHBOARD_ROLES)
def state_dashboard_csv(request, figure):
    form, page = _state(request)
    return dashboard_csv(form=form, figure=figure, keys=FIGURE_KEYS, table=jurisdiction_table,
                         name=settings.CVMS_JURISDICTION_CODE.lower(), invalid=page)
