"""Reads of organizations and locations that several places need."""

from django.db.models import Q

from cvms.organizations.models import Location, RedistributionAgreement


def redistribution_allowed(*, source, destination) -> bool:
    """Whether a signed redistribution agreement in force covers both locations."""
    return source.organization_id == destination.organization_id and RedistributionAgreement.objects.filter(
        organization_id=source.organization_id, withdrawn_at__isnull=True, locations=source,
    ).filter(locations=destination).exists()


def redistribution_partners(location):
    """The other locations of ``location``'s organization that a signed redistribution agreement in
    force covers together with it: where it may redistribute vaccine."""
    agreements = RedistributionAgreement.objects.filter(organization_id=location.organization_id,
                                                        withdrawn_at__isnull=True, locations=location)
    return (Location.objects.active().filter(organization_id=location.organization_id,
                                             redistribution_agreements__in=agreements)
            .exclude(pk=location.pk).distinct())


def locations_search(locations, text: str):
    """``locations`` whose name or county holds ``text``, or whose Provider PIN is it."""
    text = (text or "").strip()
    if not text:
        return locations.none()
    return locations.filter(Q(name__icontains=text) | Q(county__icontains=text) | Q(provider_pin__iexact=text))
