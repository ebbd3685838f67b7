"""Reads of organizations and locations that several places need."""

from cvms.organizations.models import RedistributionAgreement


def redistribution_allowed(*, source, destination) -> bool:
    """Whether a signed redistribution agreement in force covers both locations."""
    return source.organization_id == destination.organization_id and RedistributionAgreement.objects.filter(
        organization_id=source.organization_id, withdrawn_at__isnull=True, locations=source,
    ).filter(locations=destination).exists()
