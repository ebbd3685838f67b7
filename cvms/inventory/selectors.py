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
