"""Reads of stock that several places need."""

from django.db.models import Count, Q, Sum
from django.utils import timezone


def location_stock_summary(locations):
    """Locations annotated with their unexpired lots and doses on hand, in one query."""
    today = timezone.localdate()
    unexpired = Q(lots__expiration_date__gte=today)
    return locations.annotate(
        lot_count=Count("lots", filter=unexpired),
        doses_on_hand=Sum("lots__on_hand", filter=unexpired, default=0),
    ).order_by("name")


def product_for_code(code: str):
    """The vaccine product a product key or an NDC (unit of sale or use, hyphens optional) names, or
    ``None``."""
    from cvms.inventory.models import VaccineProduct

    wanted = (code or "").strip().lower()
    digits = wanted.replace("-", "")
    for product in VaccineProduct.objects.all():
        ndcs = {ndc.replace("-", "") for ndc in [*product.ndc_unit_of_sale, *product.ndc_unit_of_use]}
        if wanted == product.key or (digits.isdigit() and digits in ndcs):
            return product
    return None


def lots_at(location):
    """A location's lots with what a list of them shows, soonest expiry first."""
    from cvms.inventory.models import InventoryLot

    return InventoryLot.objects.filter(location=location).select_related("product", "location", "storage_unit")
