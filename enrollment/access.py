"""The only way the Enrollment Portal fetches objects: state staff see every organization,
Organization Administrators see their own."""

from django.shortcuts import get_object_or_404

from cvms.accounts.models import Role
from cvms.accounts.selectors import user_has_role
from cvms.registry.models import Organization


def organizations_for_user(user):
    if user_has_role(user, Role.STATE_STAFF):
        return Organization.objects.all()
    return Organization.objects.filter(
        memberships__user=user, memberships__role=Role.ORG_ADMIN, memberships__is_active=True
    ).distinct()


def access_organization_by_user(user, organization_id: int) -> Organization:
    return get_object_or_404(organizations_for_user(user), pk=organization_id)
