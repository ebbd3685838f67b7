"""The only way the Enrollment Portal fetches objects. Organization Administrators reach their own
organizations' agreements; Immunization Branch staff reach every submitted version for review."""

from django.shortcuts import get_object_or_404

from cvms.accounts.models import Role
from cvms.accounts.selectors import user_has_role
from cvms.organizations.models import Organization
from enrollment.models import Agreement, AgreementVersion, VersionLocation, VersionStatus


def organizations_for_user(user):
    if user_has_role(user, Role.STATE_STAFF):
        return Organization.objects.all()
    return Organization.objects.filter(
        memberships__user=user, memberships__role=Role.ORG_ADMIN, memberships__is_active=True
    ).distinct()


def access_organization_by_user(user, organization_id: int) -> Organization:
    return get_object_or_404(organizations_for_user(user), pk=organization_id)


def access_agreement_by_user(user, agreement_id: int) -> Agreement:
    """An agreement of an organization ``user`` administers."""
    return get_object_or_404(Agreement.objects.administered_by(user).select_related("organization"), pk=agreement_id)


def access_version_by_user(user, agreement_id: int, number: int) -> AgreementVersion:
    agreement = access_agreement_by_user(user, agreement_id)
    return get_object_or_404(agreement.versions.select_related("agreement__organization"), number=number)


def access_version_location_by_user(user, agreement_id: int, version_location_id: int) -> VersionLocation:
    """A Section B location of the agreement's open version."""
    agreement = access_agreement_by_user(user, agreement_id)
    return get_object_or_404(VersionLocation.objects.select_related("version"), pk=version_location_id,
                             version__agreement=agreement, version__status__in=["draft", "returned", "submitted"])


def access_review_version_by_user(user, version_id: int) -> AgreementVersion:
    """A version the state may review: anything the organization has signed (not a draft)."""
    if not user_has_role(user, Role.STATE_STAFF):
        from django.http import Http404

        raise Http404
    return get_object_or_404(
        AgreementVersion.objects.exclude(status=VersionStatus.DRAFT).select_related("agreement__organization"),
        pk=version_id)
