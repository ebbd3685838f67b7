"""The only way the Organization Portal fetches objects: organizations where the user is an
Organization Coordinator (employer) or Local Health Department staff."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from cvms.accounts.models import Invitation, Role
from cvms.accounts.selectors import user_has_role
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.invitations import departments_of
from cvms.organizations.models import Organization
from cvms.recipients.employees import EMPLOYEE_FIELDS
from cvms.recipients.models import Recipient
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
def access_employee_by_user(user, employer_id: int, employee_id: int) -> Recipient:
    """One of an employer's own employees, with only what an employer may read of them."""
    employer = access_employer_by_user(user, employer_id)
    return get_object_or_404(Recipient.objects.filter(employer=employer).only(*EMPLOYEE_FIELDS, "employer"),
                             pk=employee_id)


# --- Invited organizations and their coordinators

#: Who invites employers: local health department staff (in their counties) and state staff.
INVITING_ROLES = (Role.LHD_STAFF, Role.STATE_STAFF)


def invited_organizations_for_user(user):
    """The employers a health department or the state follows: state staff every employer, local
    health department staff those their departments invited."""
    if user_has_role(user, Role.STATE_STAFF):
        return Organization.objects.filter(kind=OrganizationKind.EMPLOYER)
    return Organization.objects.filter(kind=OrganizationKind.EMPLOYER, invited_by__in=departments_of(user))


def coordinated_organizations_for_user(user):
    return Organization.objects.filter(memberships__user=user, memberships__is_active=True,
                                       memberships__role=Role.ORG_COORDINATOR)


def access_invited_organization_by_user(user, organization_id: int) -> Organization:
    return get_object_or_404(invited_organizations_for_user(user), pk=organization_id)


def team_organizations_for_user(user):
    """Employers whose coordinators ``user`` may see and invite: their own as a coordinator, and
    those their health department invited (every employer, for state staff)."""
    return Organization.objects.filter(Q(pk__in=coordinated_organizations_for_user(user).values("pk"))
                                       | Q(pk__in=invited_organizations_for_user(user).values("pk")))


def access_team_organization_by_user(user, organization_id: int) -> Organization:
    return get_object_or_404(team_organizations_for_user(user), pk=organization_id)


def access_coordinator_invitation_by_user(user, invitation_id: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("organization").filter(
            role=Role.ORG_COORDINATOR, organization__in=team_organizations_for_user(user).values("pk")),
        pk=invitation_id,
    )


# --- Dashboards: a health department's staff read their department's counties.

def access_department_by_user(user, department_id: int) -> Organization:
    """A local health department where ``user`` is active staff."""
    return get_object_or_404(departments_of(user), pk=department_id)
