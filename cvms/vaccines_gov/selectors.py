"""Reads of what each location reports to Vaccines.gov: its products with doses on hand (from the
inventory, never typed), in stock, supply level, and when the figures were last updated.

A product's figures were last updated at the later of two moments: someone confirmed them on the
location's Vaccines.gov page, or the stock of that product at the location moved (a ledger entry).
They are *stale* when that moment is more than ``CVMS_VACCINES_GOV_STALE_DAYS`` days before the day
asked about, or when there is none: Vaccines.gov then shows "Call to confirm"."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.organizations.models import Location
from cvms.vaccines_gov.choices import SupplyLevel
from cvms.vaccines_gov.models import LocationSettings, ProductSettings


@dataclass(frozen=True)
class ProductRow:
    location_id: int
    product: VaccineProduct
    doses: int
    in_stock: bool
    supply_level: int
    last_updated: datetime.datetime | None
    stale: bool
    setting: ProductSettings | None

    @property
    def supply_label(self) -> str:
        return SupplyLevel(self.supply_level).label


def is_stale(last_updated: datetime.datetime | None, *, as_of: datetime.date) -> bool:
    if last_updated is None:
        return True
    return (as_of - timezone.localdate(last_updated)).days > settings.CVMS_VACCINES_GOV_STALE_DAYS


def product_rows(*, location_ids, as_of: datetime.date) -> dict[int, list[ProductRow]]:
    """For each location: a row per product it has doses of (unexpired on ``as_of``) or has
    reported on, by product name. Three queries, whatever the number of locations."""
    lots = InventoryLot.objects.filter(location_id__in=location_ids)
    doses = {(r["location_id"], r["product_id"]): r["doses"] for r in lots.filter(expiration_date__gte=as_of)
             .values("location_id", "product_id").annotate(doses=Sum("on_hand")) if r["doses"] > 0}
    moved = {(r["location_id"], r["product_id"]): r["moved"] for r in lots.values("location_id", "product_id")
             .annotate(moved=Max("ledger__at"))}
    saved = {(s.location_id, s.product_id): s for s in ProductSettings.objects.filter(location_id__in=location_ids)}
    products = VaccineProduct.objects.in_bulk({product_id for _location, product_id in [*doses, *saved]})
    rows: dict[int, list[ProductRow]] = {}
    for key in sorted(set(doses) | set(saved), key=lambda k: (k[0], products[k[1]].display_name)):
        setting, on_hand = saved.get(key), doses.get(key, 0)
        updated = max((t for t in (setting and setting.quantity_updated_at, moved.get(key)) if t), default=None)
        rows.setdefault(key[0], []).append(ProductRow(
            location_id=key[0], product=products[key[1]], doses=on_hand,
            in_stock=setting.in_stock if setting else on_hand > 0,
            supply_level=setting.supply_level if setting else SupplyLevel.NO_REPORT,
            last_updated=updated, stale=is_stale(updated, as_of=as_of), setting=setting,
        ))
    return rows


def listed_locations():
    """Locations shown on Vaccines.gov: active, with a Provider PIN, public display on."""
    return (Location.objects.active().filter(provider_pin__isnull=False, vaccines_gov__public_display=True)
            .select_related("vaccines_gov").order_by("name", "pk"))


def location_settings(location: Location) -> LocationSettings:
    """The location's settings, unsaved defaults when it has none yet."""
    try:
        return location.vaccines_gov
    except LocationSettings.DoesNotExist:
        return LocationSettings(location=location)


def location_is_stale(location: Location, *, as_of: datetime.date | None = None) -> bool:
    """Whether Vaccines.gov shows any of a listed location's products as "Call to confirm"."""
    if not listed_locations().filter(pk=location.pk).exists():
        return False
    rows = product_rows(location_ids=[location.pk], as_of=as_of or timezone.localdate())
    return any(row.stale for row in rows.get(location.pk, []))


def stale_locations(*, as_of: datetime.date) -> list[tuple[Location, datetime.datetime | None]]:
    """Listed locations with a stale product, each with the latest update of any of its products."""
    locations = list(listed_locations())
    rows = product_rows(location_ids=[loc.pk for loc in locations], as_of=as_of)
    found = []
    for location in locations:
        mine = rows.get(location.pk, [])
        if any(row.stale for row in mine):
            found.append((location, max((r.last_updated for r in mine if r.last_updated), default=None)))
    return found


