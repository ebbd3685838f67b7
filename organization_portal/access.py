"""The only way the Organization Portal fetches objects: organizations where the user is an
Organization Coordinator (employer) or Local Health Department staff."""

from django.shortcuts import get_object_or_404

from cvms.accounts.models import Role
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.models import Organization
from cvms.uploads.models import RecipientUpload

ORGANIZATION_PORTAL_ROLES = (Role.ORG_COORDINATOR, Role.LHD_STAFF)


def organizations_for_user(user):
    return Organization.objects.filter(
        memberships__user=user, memberships__is_active=True,
        memberships__role__in=[str(r) for r in ORGANIZATION_PORTAL_ROLES],
    ).distinct()


def access_organization_by_user(user, organization_id: int) -> Organization:
    return get_object_or_404(organizations_for_user(user), pk=organization_id)


# --- Employees: an employer's coordinators upload its employees and follow their registration.

def employers_for_coordinator(user):
    """Employers where ``user`` is an active Organization Coordinator."""
    return Organization.objects.filter(
        kind=OrganizationKind.EMPLOYER, memberships__user=user, memberships__is_active=True,
        memberships__role=Role.ORG_COORDINATOR,
    ).distinct()


def access_employer_by_user(user, employer_id: int) -> Organization:
    return get_object_or_404(employers_for_coordinator(user), pk=employer_id)


def access_employee_upload_by_user(user, employer_id: int, upload_id: int) -> RecipientUpload:
    """An employer's own upload of employees (never a provider upload of the same organization)."""
    employer = access_employer_by_user(user, employer_id)
    return get_object_or_404(RecipientUpload.objects.select_related("organization", "uploaded_by"),
                             pk=upload_id, organization=employer, location__isnull=True)
