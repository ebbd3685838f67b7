"""The only way the Organization Portal fetches objects: organizations where the user is an
Organization Coordinator (employer) or Local Health Department staff."""

from django.shortcuts import get_object_or_404

from cvms.accounts.models import Role
from cvms.organizations.models import Organization

ORGANIZATION_PORTAL_ROLES = (Role.ORG_COORDINATOR, Role.LHD_STAFF)


def organizations_for_user(user):
    return Organization.objects.filter(
        memberships__user=user, memberships__is_active=True,
        memberships__role__in=[str(r) for r in ORGANIZATION_PORTAL_ROLES],
    ).distinct()


def access_organization_by_user(user, organization_id: int) -> Organization:
    return get_object_or_404(organizations_for_user(user), pk=organization_id)
