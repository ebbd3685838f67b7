"""The rules that change a location's Vaccines.gov settings, write the daily file and warn the
managers of a location whose figures are out of date. Views, admin, tasks and the command call these."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.accounts.models import Membership, Role
from cvms.core.audit import audit_log, audited_update
from cvms.core.errors import ServiceError
from cvms.core.outbox import outbox_enqueue
from cvms.core.phones import phone_check
from cvms.organizations.models import Location
from cvms.vaccines_gov import export
from cvms.vaccines_gov.choices import WEEKDAYS, SupplyLevel
from cvms.vaccines_gov.models import LocationSettings, ProductSettings
from cvms.vaccines_gov.selectors import product_rows, stale_locations

INTEGRATION = "vaccines_gov"
SETTINGS_FIELDS = ("public_display", "public_phone", "web_address", "pre_screen_address",
                   *(field for field, _label in WEEKDAYS), "provider_notes", "walkins_accepted",
                   "insurance_accepted", "latitude", "longitude")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s]*$", re.IGNORECASE)


class SettingsRefused(ServiceError):
    """The settings break a rule; ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def check_location_settings(fields: dict) -> dict[str, str]:
    """What is wrong with these settings, by field (empty when nothing is); phone and web addresses
    are normalized in ``fields`` as a side effect."""
    problems = {}
    try:
        fields["public_phone"] = phone_check(fields.get("public_phone", ""))
    except ValidationError as error:
        problems["public_phone"] = error.messages[0]
    for name in ("web_address", "pre_screen_address"):
        fields[name] = (fields.get(name) or "").strip()
        if fields[name] and not _HTTP_URL.match(fields[name]):
            problems[name] = _("Enter a web address starting with https:// or http://, for example "
                               "https://example.org/vaccine.")
    if fields.get("public_display") and not fields["public_phone"] and not fields["pre_screen_address"] \
            and "public_phone" not in problems and "pre_screen_address" not in problems:
        problems["public_phone"] = _("A location shown on Vaccines.gov needs a public phone or a pre-screening "
                                     "web address.")
    if (fields.get("latitude") is None) != (fields.get("longitude") is None):
        problems["longitude" if fields.get("longitude") is None else "latitude"] = _(
            "Give both latitude and longitude, or neither.")
    return problems


def vaccines_gov_settings_save(*, location: Location, actor, fields: dict,
                               products: dict[int, dict] | None = None) -> dict:
    """Save the location's settings and, per product id in ``products``, ``in_stock`` and
    ``supply_level``: saving a product confirms its figures (its quantity counts as updated now).
    Only products the location has doses of or has reported on may be given. Raises
    ``SettingsRefused``; returns the changes by object."""
    fields = {name: fields[name] for name in SETTINGS_FIELDS if name in fields}
    products = products or {}
    known = {row.product.pk for row in product_rows(location_ids=[location.pk], as_of=timezone.localdate())
             .get(location.pk, [])}
    if set(products) - known:
        raise SettingsRefused({"products": _("This location has no stock of that product to report on.")})
    if any(values["supply_level"] not in SupplyLevel.values for values in products.values()):
        raise SettingsRefused({"products": _("Choose a supply level from the list.")})
    changes = {}
    with transaction.atomic():
        record, created = LocationSettings.objects.select_for_update().get_or_create(location=location)
        merged = {**{name: getattr(record, name) for name in SETTINGS_FIELDS}, **fields}
        problems = check_location_settings(merged)
        if problems:
            raise SettingsRefused(problems)
        if created:
            audit_log(actor=actor, action="vaccines_gov.settings.created", obj=record,
                      changes={"guid": str(record.guid)})
        changed = audited_update(record, fields={name: merged[name] for name in fields}, actor=actor,
                                 action="vaccines_gov.settings.updated")
        if changed:
            LocationSettings.objects.filter(pk=record.pk).update(updated_by=_user(actor), updated_at=timezone.now())
            changes["settings"] = changed
        now = timezone.now()
        for product_id, values in sorted(products.items()):
            product, _created = ProductSettings.objects.select_for_update().get_or_create(
                location=location, product_id=product_id,
                defaults={"in_stock": values["in_stock"], "supply_level": values["supply_level"]})
            changes[f"product {product_id}"] = audited_update(
                product, actor=actor, action="vaccines_gov.product.updated", fields={
                    "in_stock": values["in_stock"], "supply_level": values["supply_level"],
                    "quantity_updated_at": now, "updated_by": _user(actor)})
    return changes


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def vaccines_gov_daily(*, as_of: datetime.date) -> str:
    """The beat job: keep the day's file and warn the managers of locations gone stale."""
    name = vaccines_gov_file_write(as_of=as_of)
    stale_warnings_send(as_of=as_of)
    return name


def vaccines_gov_file_write(*, as_of: datetime.date) -> str:
    name = export.export_store(as_of=as_of, folder=settings.CVMS_VACCINES_GOV_FOLDER)
    audit_log(integration=INTEGRATION, action="vaccines_gov.file.written", changes={"file": name,
                                                                                     "date": as_of.isoformat()})
    return name


def stale_warnings_send(*, as_of: datetime.date) -> int:
    """Queue one email to the managers of each listed location gone stale, once per stale period:
    a location warned since its figures were last updated is not warned again. Safe to run twice
    (the claim is a conditional UPDATE)."""
    from cvms.vaccines_gov.tasks import send_stale_warning

    warned = 0
    for location, latest in stale_locations(as_of=as_of):
        not_yet = Q(stale_warned_at__isnull=True)
        if latest is not None:
            not_yet |= Q(stale_warned_at__lt=latest)
        with transaction.atomic():
            claimed = LocationSettings.objects.filter(not_yet, location=location).update(stale_warned_at=timezone.now())
            if claimed:
                audit_log(integration=INTEGRATION, action="vaccines_gov.stale.warned", obj=location.vaccines_gov,
                          changes={"last_updated": latest})
                outbox_enqueue(task=send_stale_warning, args=(location.pk,))
                warned += 1
    return warned


def stale_warning_email_send(*, location_id: int) -> int:
    """Email the location's Location Managers, each in their language."""
    from cvms.core.links import VACCINES_GOV_SETTINGS, link_url
    from cvms.core.mail import build_email, send_many

    location = Location.objects.get(pk=location_id)
    managers = [m.user for m in Membership.objects.active().with_roles(Role.LOCATION_MANAGER)
                .filter(location=location, user__is_active=True).select_related("user")]
    context = {"location": location, "days": settings.CVMS_VACCINES_GOV_STALE_DAYS,
               "link": link_url(VACCINES_GOV_SETTINGS, location.pk)}
    messages = [build_email(template_prefix="vaccines_gov/email/stale", context={**context, "user": user},
                            to=[user.email], language=user.preferred_language or settings.LANGUAGE_CODE)
                for user in managers]
    return send_many(messages) if messages else 0
