from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.accounts.selectors import user_has_role
from cvms.dashboards.roles import DEPARTMENT_DASHBOARD_ROLES, STATE_DASHBOARD_ROLES
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.invitations import departments_of
from organization_portal.access import (
    INVITING_ROLES,
    ORGANIZATION_PORTAL_ROLES,
    access_organization_by_user,
    organizations_for_user,
)


@require_GET
@role_required(*ORGANIZATION_PORTAL_ROLES, *INVITING_ROLES)
def home(request):
    organizations = organizations_for_user(request.user).annotate(employee_count=Count("employees"))
    can_invite = user_has_role(request.user, *INVITING_ROLES)
    return render(request, "organization_portal/home.html", {
        "organizations": organizations.order_by("name"), "can_invite": can_invite,
        "state_dashboard": user_has_role(request.user, *STATE_DASHBOARD_ROLES),
        "department_dashboards": (departments_of(request.user)
                                  if user_has_role(request.user, *DEPARTMENT_DASHBOARD_ROLES) else []),
    })


@require_GET
@role_required(*ORGANIZATION_PORTAL_ROLES)
def organization_detail(request, organization_id):
    """An organization's page: an employer's is its Employees page (names and registration, nothing
    more); a health department's is the list of the employers it invited."""
    organization = access_organization_by_user(request.user, organization_id)
    if organization.kind == OrganizationKind.EMPLOYER:
        return redirect("organization_portal:employees", employer_id=organization.pk)
    return redirect("organization_portal:invited")
