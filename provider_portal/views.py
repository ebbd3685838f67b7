from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.accounts.models import PROVIDER_ROLES, Membership
from cvms.accounts.selectors import user_has_role
from cvms.dashboards.roles import ORGANIZATION_DASHBOARD_ROLES
from cvms.inventory.roles import STATE_ROLES
from cvms.inventory.selectors import location_stock_summary
from provider_portal.access import (
    BULK_UPLOAD_ROLES,
    PORTAL_ROLES,
    access_location_by_user,
    dashboard_organizations_for_user,
    locations_for_user,
)
from provider_portal.transfer_views import state_home


@require_GET
@role_required(*PORTAL_ROLES, *ORGANIZATION_DASHBOARD_ROLES)
def home(request):
    locations = locations_for_user(request.user)
    roles = Membership.objects.active().filter(user=request.user).with_roles(*PROVIDER_ROLES).select_related("location")
    context = {"memberships": roles, "dashboard_organizations": dashboard_organizations_for_user(request.user)}
    if user_has_role(request.user, *STATE_ROLES):
        context.update(state_home(request, locations))
    else:
        context["locations"] = location_stock_summary(locations)
    return render(request, "provider_portal/home.html", context)


@require_GET
@role_required(*PORTAL_ROLES)
def location_detail(request, location_id):
    location = access_location_by_user(request.user, location_id)
    can_bulk_upload = Membership.objects.active().filter(user=request.user, location=location,
                                                         role__in=BULK_UPLOAD_ROLES).exists()
    lots = location.lots.select_related("product").order_by("expiration_date")
    immunizations = location.immunizations.select_related("recipient", "lot__product")[:20]
    return render(request, "provider_portal/location_detail.html", {
        "location": location, "lots": lots, "immunizations": immunizations, "today": timezone.localdate(),
        "can_bulk_upload": can_bulk_upload,
    })
