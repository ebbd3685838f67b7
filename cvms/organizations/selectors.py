"""Reads of organizations and locations that several places need."""

import re
import unicodedata

from django.conf import settings
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


def pin_normalize(value: str) -> str:
    """A Provider PIN as stored, from what someone typed: look-alike characters folded (NFKC),
    spaces and dashes dropped, upper case; six digits alone get the jurisdiction's prefix (the
    registry's reports print the PIN without it)."""
    value = re.sub(r"[\s\-]+", "", unicodedata.normalize("NFKC", value or "")).upper()
    return f"{settings.CVMS_PIN_PREFIX}{value}" if re.fullmatch(r"[0-9]{6}", value) else value


def location_by_pin(value: str):
    """The active location whose Provider PIN ``value`` is (``pin_normalize``), or None."""
    pin = pin_normalize(value)
    return Location.objects.active().filter(provider_pin=pin).first() if pin else None
