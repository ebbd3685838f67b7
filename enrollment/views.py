from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from enrollment.access import access_organization_by_user, organizations_for_user

ENROLLMENT_ROLES = (Role.ORG_ADMIN, Role.STATE_STAFF)


@require_GET
@role_required(*ENROLLMENT_ROLES)
def home(request):
    organizations = organizations_for_user(request.user).annotate(location_count=Count("locations"))
    return render(request, "enrollment/home.html", {"organizations": organizations.order_by("name")[:200]})


@require_GET
@role_required(*ENROLLMENT_ROLES)
def organization_detail(request, organization_id):
    organization = access_organization_by_user(request.user, organization_id)
    locations = organization.locations.prefetch_related("storage_units").order_by("name")
    context = {"organization": organization, "locations": locations}
    return render(request, "enrollment/organization_detail.html", context)
