"""Employers invited to the Organization Portal, and their Organization Coordinators.

Local health department staff invite employers in the counties their department serves;
Immunization Branch (state) staff anywhere. The invited contact becomes the employer's Organization
Coordinator through ``cvms.accounts`` invitations, and coordinators invite further coordinators.
Callers (portal views, admin, commands) hold no rule of their own."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import Invitation, Membership, Role
from cvms.accounts.selectors import user_has_role
from cvms.accounts.services import invitation_revoke, invitation_send
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.organizations import choices as c
from cvms.organizations.models import Organization, served_counties_of
from cvms.organizations.services import organization_create


def departments_of(user):
    """The local health departments where ``user`` is active staff."""
    return Organization.objects.filter(
        kind=c.OrganizationKind.LOCAL_HEALTH_DEPARTMENT, memberships__user=user, memberships__is_active=True,
        memberships__role=Role.LHD_STAFF,
    ).distinct().order_by("pk")


def counties_invitable_by(user) -> list[str]:
    """The counties where ``user`` may invite employers: every county for state staff, those their
    departments serve for local health department staff."""
    if user_has_role(user, Role.STATE_STAFF):
        return list(settings.CVMS_COUNTIES)
    served = {county for department in departments_of(user) for county in served_counties_of(department)}
    return sorted(served)


def inviting_department(*, user, county: str) -> Organization | None:
    """The department on whose behalf ``user`` invites in ``county``: ``None`` for state staff (the
    Immunization Branch). Raises ``ServiceError`` (field ``county``) for anyone else outside the
    counties their departments serve."""
    if user_has_role(user, Role.STATE_STAFF):
        return None
    for department in departments_of(user):
        if county in served_counties_of(department):
            return department
    raise ServiceError(_("Your health department does not serve %(county)s County, so it cannot invite "
                         "organizations there. Ask the Immunization Branch to change the counties it serves.")
                       % {"county": county}, field="county")


def _check_invitation_fields(*, name: str, county: str, industry: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_("Enter the organization's name."), field="name")
    if settings.CVMS_COUNTIES and county not in settings.CVMS_COUNTIES:
        raise ServiceError(_("%(county)s is not a county of %(jurisdiction)s.")
                           % {"county": county, "jurisdiction": settings.CVMS_JURISDICTION_NAME}, field="county")
    if industry not in c.Industry.values:
        raise ServiceError(_("Choose the organization's industry."), field="industry")
    return name


def _duplicate_refusal(existing: Organization) -> ServiceError:
    if existing.invited_at:
        message = _("%(name)s in %(county)s County was already invited on %(date)s. Find it in the list of "
                    "invited organizations to resend its invitation.") % {
            "name": existing.name, "county": existing.county,
            "date": date_format(timezone.localtime(existing.invited_at), "DATE_FORMAT")}
    else:
        message = _("%(name)s in %(county)s County is already registered in CVMS.") % {
            "name": existing.name, "county": existing.county}
    return ServiceError(message, field="name")


def organization_invite(*, name: str, county: str, industry: str, contact_email: str, contact_first_name: str = "",
                        contact_last_name: str = "", language: str = "", actor) -> Invitation:
    """Create the employer ``name`` in ``county`` (refused if one of that name is there already),
    recording the department that invited it (none for state staff) and when, and invite its
    contact to be its Organization Coordinator."""
    name = _check_invitation_fields(name=name, county=county, industry=industry)
    department = inviting_department(user=actor, county=county)
    existing = Organization.objects.filter(kind=c.OrganizationKind.EMPLOYER, name__iexact=name, county=county).first()
    if existing is not None:
        raise _duplicate_refusal(existing)
    try:
        with transaction.atomic():
            organization = organization_create(
                name=name, kind=c.OrganizationKind.EMPLOYER, county=county, state=settings.CVMS_JURISDICTION_CODE[:2],
                industry=industry, invited_by=department, invited_at=timezone.now(), actor=actor)
            audit_log(actor=actor, action="organizations.organization.invited", obj=organization,
                      changes={"invited_by": department, "county": county, "industry": industry,
                               "contact": normalize_login(contact_email)})
            return coordinator_invite(organization=organization, email=contact_email, first_name=contact_first_name,
                                      last_name=contact_last_name, language=language, actor=actor)
    except IntegrityError:  # invited at the same moment by someone else
        existing = Organization.objects.filter(kind=c.OrganizationKind.EMPLOYER, name__iexact=name,
                                               county=county).first()
        if existing is None:
            raise
        raise _duplicate_refusal(existing) from None


def coordinator_invite(*, organization: Organization, email: str, first_name: str = "", last_name: str = "",
                       language: str = "", actor) -> Invitation:
    """Invite ``email`` to be an Organization Coordinator of ``organization`` (sending again renews
    an open invitation). Refused for an address that already coordinates it."""
    email = normalize_login(email)
    if Membership.objects.active().filter(organization=organization, role=Role.ORG_COORDINATOR).filter(
            Q(user__username=email) | Q(user__email=email)).exists():
        raise ServiceError(_("%(email)s is already an Organization Coordinator of %(organization)s.")
                           % {"email": email, "organization": organization.name}, field="email")
    return invitation_send(email=email, role=Role.ORG_COORDINATOR, organization=organization, first_name=first_name,
                           last_name=last_name, language=language, actor=actor)


def _check_open(invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise ServiceError(_("%(email)s already accepted this invitation.") % {"email": invitation.email})
    if invitation.revoked_at:
        raise ServiceError(_("This invitation to %(email)s was withdrawn. Invite them again to send a new one.")
                           % {"email": invitation.email})


def coordinator_invitation_resend(*, invitation: Invitation, actor) -> Invitation:
    """Send an open invitation again, with a new link and a new expiry date (an expired one too)."""
    _check_open(invitation)
    return coordinator_invite(organization=invitation.organization, email=invitation.email,
                              first_name=invitation.first_name, last_name=invitation.last_name,
                              language=invitation.language, actor=actor)


def coordinator_invitation_withdraw(*, invitation: Invitation, actor) -> None:
    """Withdraw an open invitation: its link stops working."""
    _check_open(invitation)
    invitation_revoke(invitation=invitation, actor=actor)
