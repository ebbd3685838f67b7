"""Organizations, locations, storage units and redistribution agreements: the rules that change them.

Callers are views, API views, admin actions, tasks and commands alike; none holds a rule of its own.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log, audited_update
from cvms.core.errors import ServiceError
from cvms.core.phones import digits_only
from cvms.organizations import choices as c
from cvms.organizations.models import Location, Organization, RedistributionAgreement, StorageUnit


def organization_create(*, name: str, kind: c.OrganizationKind, actor=None,
                        status: c.OrganizationStatus = c.OrganizationStatus.PENDING, **fields) -> Organization:
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    with transaction.atomic():
        organization = Organization.objects.create(name=name.strip(), kind=kind, status=status, **fields)
        audit_log(actor=actor, action="registry.organization.created", obj=organization,
                  changes={"name": organization.name, "kind": str(kind), "status": str(status)})
    return organization


def location_create(*, organization: Organization, name: str, actor=None, **fields) -> Location:
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    with transaction.atomic():
        location = Location.objects.create(organization=organization, name=name.strip(), **fields)
        audit_log(actor=actor, action="registry.location.created", obj=location,
                  changes={"organization": organization, "name": location.name})
    return location


def storage_unit_create(*, location: Location, name: str, kind: c.StorageKind, min_temp_c, max_temp_c,
                        has_data_logger: bool = False, actor=None) -> StorageUnit:
    if min_temp_c >= max_temp_c:
        raise ServiceError(_("The minimum temperature must be below the maximum temperature."))
    with transaction.atomic():
        unit = StorageUnit.objects.create(location=location, name=name.strip(), kind=kind, min_temp_c=min_temp_c,
                                          max_temp_c=max_temp_c, has_data_logger=has_data_logger)
        audit_log(actor=actor, action="registry.storage_unit.created", obj=unit,
                  changes={"kind": str(kind), "min_temp_c": min_temp_c, "max_temp_c": max_temp_c})
    return unit


def organization_update(*, organization: Organization, actor=None, **fields) -> dict:
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    if "served_counties" in fields:
        fields["served_counties"] = _check_served_counties(organization, fields["served_counties"])
    return audited_update(organization, fields=fields, actor=actor, action="registry.organization.updated")


def _check_served_counties(organization: Organization, counties) -> list[str]:
    counties = sorted({county.strip() for county in counties or [] if county.strip()})
    if counties and organization.kind != c.OrganizationKind.LOCAL_HEALTH_DEPARTMENT:
        raise ServiceError(_("Only a local health department serves counties."), field="served_counties")
    unknown = [county for county in counties if settings.CVMS_COUNTIES and county not in settings.CVMS_COUNTIES]
    if unknown:
        raise ServiceError(_("%(counties)s: not a county of %(jurisdiction)s.") % {
            "counties": ", ".join(unknown), "jurisdiction": settings.CVMS_JURISDICTION_NAME}, field="served_counties")
    return counties


def organization_activate(*, organization: Organization, actor=None) -> Organization:
    if Organization.objects.filter(pk=organization.pk).exclude(status=c.OrganizationStatus.ACTIVE).update(
            status=c.OrganizationStatus.ACTIVE):
        audit_log(actor=actor, action="registry.organization.activated", obj=organization,
                  changes={"status": [organization.status, c.OrganizationStatus.ACTIVE]})
        organization.status = c.OrganizationStatus.ACTIVE
    return organization


def location_update(*, location: Location, actor=None, **fields) -> dict:
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    return audited_update(location, fields=fields, actor=actor, action="registry.location.updated")


def storage_unit_update(*, unit: StorageUnit, actor=None, **fields) -> dict:
    low, high = fields.get("min_temp_c", unit.min_temp_c), fields.get("max_temp_c", unit.max_temp_c)
    if low >= high:
        raise ServiceError(_("The minimum temperature must be below the maximum temperature."))
    return audited_update(unit, fields=fields, actor=actor, action="registry.storage_unit.updated")


def redistribution_agreement_sign(*, organization: Organization, locations: list[Location], signed_name: str,
                                  signed_title: str, actor) -> RedistributionAgreement:
    """Sign the CDC Supplemental Redistribution Agreement for two or more active locations of
    ``organization``; vaccine may then be redistributed between them."""
    if len(set(locations)) < 2:
        raise ServiceError(_("Choose at least two locations: a redistribution moves vaccine between them."))
    if any(loc.organization_id != organization.pk or not loc.is_active for loc in locations):
        raise ServiceError(_("Every location must be an active location of this organization."))
    if not signed_name.strip() or not signed_title.strip():
        raise ServiceError(_("Type your full name and title to sign."))
    wanted = {loc.pk for loc in locations}
    for existing in organization.redistribution_agreements.filter(withdrawn_at__isnull=True):
        if wanted <= set(existing.locations.values_list("pk", flat=True)):
            raise ServiceError(_("A redistribution agreement signed on %(date)s already covers these locations.")
                               % {"date": date_format(existing.signed_on, "SHORT_DATE_FORMAT")})
    with transaction.atomic():
        agreement = RedistributionAgreement.objects.create(
            organization=organization, signed_name=signed_name.strip(), signed_title=signed_title.strip(),
            signed_on=timezone.localdate(), signed_by=actor,
        )
        agreement.locations.set(locations)
        audit_log(actor=actor, action="registry.redistribution_agreement.signed", obj=agreement,
                  changes={"locations": [loc.pk for loc in locations], "signed_name": agreement.signed_name,
                           "signed_title": agreement.signed_title})
    return agreement


def location_activate(*, location: Location, actor=None) -> Location:
    """Make an approved location active, with its Provider PIN."""
    location_assign_pin(location=location, actor=actor)
    if Location.objects.filter(pk=location.pk, is_active=False).update(is_active=True):
        location.is_active = True
        audit_log(actor=actor, action="registry.location.activated", obj=location, changes={"is_active": True})
    return location


def format_provider_pin(number: int) -> str:
    return f"{settings.CVMS_PIN_PREFIX}{number:06d}"


def location_assign_pin(*, location: Location, actor=None, pin: str | None = None) -> Location:
    """Give an approved location its Provider PIN: ``pin`` if given, else the next free one."""
    if location.provider_pin:
        return location
    with transaction.atomic():
        if pin is None:
            prefix = settings.CVMS_PIN_PREFIX
            last = (Location.objects.select_for_update().filter(provider_pin__startswith=prefix)
                    .order_by("-provider_pin").values_list("provider_pin", flat=True).first())
            pin = format_provider_pin(int(last[len(prefix):]) + 1 if last else 1)
        updated = Location.objects.filter(pk=location.pk, provider_pin__isnull=True).update(provider_pin=pin)
        if updated:
            location.provider_pin = pin
            audit_log(actor=actor, action="registry.location.pin_assigned", obj=location,
                      changes={"provider_pin": pin})
    return location
