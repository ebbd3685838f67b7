"""The figures of the location and organization dashboards, read from the real tables (doses,
lots and the stock ledger, slots, recipients) with one grouped query each: no second copy that
could drift. Every selector takes a ``DashboardScope`` (the locations a caller may see, already
scoped by the portal's access helper, a date range and an optional product)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, Max, OuterRef, Sum, Value
from django.db.models.functions import Cast, Coalesce, Greatest, TruncDate, TruncWeek
from django.utils import timezone

from cvms.appointments.models import Slot
from cvms.immunizations.choices import ImmunizationStatus
from cvms.immunizations.models import Immunization
from cvms.inventory.choices import LedgerKind
from cvms.inventory.models import InventoryLot, StockLedgerEntry, VaccineProduct
from cvms.recipients.models import Recipient

#: How far ahead "second doses due" looks.
DUE_WEEKS = 6
#: The coming days "appointments booked against capacity" always shows.
AHEAD_DAYS = 14


@dataclass(frozen=True)
class DashboardScope:
    location_ids: tuple[int, ...]
    start: datetime.date
    end: datetime.date  # inclusive
    product_id: int | None = None

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The range as aware datetimes (local midnights), so the time-indexed columns are used."""
        zone = timezone.get_current_timezone()
        begin = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        return begin, datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def _doses(scope: DashboardScope):
    begin, end = scope.bounds()
    doses = Immunization.objects.filter(location_id__in=scope.location_ids, status=ImmunizationStatus.COMPLETED,
                                        administered_at__gte=begin, administered_at__lt=end)
    return doses.filter(lot__product_id=scope.product_id) if scope.product_id else doses


def doses_per_day(*, scope: DashboardScope) -> list[tuple[datetime.date, str, int]]:
    """(day, product, doses given) for each day and product that has any, oldest first."""
    rows = (_doses(scope).values("administered_on", product=F("lot__product__display_name"))
            .annotate(doses=Count("id")).order_by("administered_on", "product"))
    return [(row["administered_on"], row["product"], row["doses"]) for row in rows]


def days_of_supply(*, scope: DashboardScope, today: datetime.date | None = None,
                   ) -> list[tuple[str, int, float, float | None]]:
    """(product, unexpired doses on hand now, average doses given a day over the range's days up to today, days
    of supply) per product on hand or given; days of supply is None when none were given."""
    today = today or timezone.localdate()
    days = max(1, (min(scope.end, today) - scope.start).days + 1)
    lots = InventoryLot.objects.filter(location_id__in=scope.location_ids, expiration_date__gte=today)
    if scope.product_id:
        lots = lots.filter(product_id=scope.product_id)
    on_hand = dict(lots.values_list("product__display_name").annotate(Sum("on_hand")).order_by())
    given = dict(_doses(scope).values_list("lot__product__display_name").annotate(Count("id")).order_by())
    rows = []
    for product in sorted(set(on_hand) | set(given)):
        per_day = given.get(product, 0) / days
        stock = on_hand.get(product, 0)
        rows.append((product, stock, round(per_day, 1), round(stock / per_day, 1) if per_day else None))
    return rows


def wastage_by_reason(*, scope: DashboardScope) -> list[tuple[str, int]]:
    """(reason code, doses wasted) over the range, without wastage a correction undid; most first."""
    begin, end = scope.bounds()
    entries = StockLedgerEntry.objects.filter(lot__location_id__in=scope.location_ids, kind=LedgerKind.WASTE,
                                              at__gte=begin, at__lt=end, reversed_by__isnull=True)
    if scope.product_id:
        entries = entries.filter(lot__product_id=scope.product_id)
    rows = entries.values("reason").annotate(doses=-Sum("quantity")).order_by("-doses", "reason")
    return [(row["reason"], row["doses"]) for row in rows]


def second_doses_due(*, scope: DashboardScope, today: datetime.date | None = None,
                     ) -> list[tuple[datetime.date, str, int]]:
    """(week starting, product, first doses due a second) over the coming ``DUE_WEEKS`` weeks: first
    doses given at the locations, of a product with a series, whose interval falls due in that week,
    for recipients with no later dose yet. Those overdue by at most ``DUE_WEEKS`` weeks are counted in
    the first week; someone overdue longer is no longer expected back."""
    today = today or timezone.localdate()
    week_start = today - datetime.timedelta(days=today.weekday())
    horizon = week_start + datetime.timedelta(weeks=DUE_WEEKS)
    overdue_since = week_start - datetime.timedelta(weeks=DUE_WEEKS)
    # The oldest first dose that can still be due: the longest interval before the overdue window
    # (bounds the scan of the doses' time index).
    longest = VaccineProduct.objects.filter(series_doses__gt=1).aggregate(days=Max("min_interval_days"))["days"]
    oldest = DashboardScope(location_ids=(), start=overdue_since - datetime.timedelta(days=longest or 0),
                            end=today).bounds()[0]
    later = Immunization.objects.filter(recipient_id=OuterRef("recipient_id"), dose_number__gt=1,
                                        status=ImmunizationStatus.COMPLETED)
    firsts = Immunization.objects.filter(
        location_id__in=scope.location_ids, status=ImmunizationStatus.COMPLETED, dose_number=1,
        lot__product__series_doses__gt=1, administered_at__gte=oldest,
    ).exclude(Exists(later))
    if scope.product_id:
        firsts = firsts.filter(lot__product_id=scope.product_id)
    due = ExpressionWrapper(F("administered_on") + Coalesce("lot__product__min_interval_days", 0),
                            output_field=DateField())
    rows = (firsts.annotate(due=due).filter(due__gte=overdue_since, due__lt=horizon)
            .annotate(week=Greatest(Cast(TruncWeek("due", output_field=DateField()), DateField()),
                                    Value(week_start, output_field=DateField())))
            .values("week", product=F("lot__product__display_name")).annotate(first_doses=Count("id"))
            .order_by("week", "product"))
    return [(row["week"], row["product"], row["first_doses"]) for row in rows]


def appointments_per_day(*, scope: DashboardScope, today: datetime.date | None = None,
                         ) -> list[tuple[datetime.date, int, int]]:
    """(day, seats booked, seats offered) for each day with open slots from the range's start to its
    end or the end of the coming ``AHEAD_DAYS`` days, whichever is later: bookings look ahead."""
    today = today or timezone.localdate()
    ahead = DashboardScope(location_ids=scope.location_ids, start=scope.start,
                           end=max(scope.end, today + datetime.timedelta(days=AHEAD_DAYS - 1)))
    begin, end = ahead.bounds()
    slots = Slot.objects.filter(location_id__in=scope.location_ids, starts_at__gte=begin, starts_at__lt=end,
                                blocked=False)
    if scope.product_id:
        slots = slots.filter(schedule__product_id=scope.product_id)
    rows = (slots.annotate(day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
            .values("day").annotate(booked=Sum("booked"), capacity=Sum("capacity")).order_by("day"))
    return [(row["day"], row["booked"], row["capacity"]) for row in rows]


def registration_completion(*, scope: DashboardScope) -> list[tuple[str, int, int]]:
    """(location, recipients loaded there, of whom registration is complete) per location. Every
    recipient ever loaded counts: completion is a standing state, not an event of the range."""
    rows = (Recipient.objects.filter(source_location_id__in=scope.location_ids)
            .values("source_location_id", "source_location__name")
            # count(*) and count(registered_at): read from recipient_loc_count_idx alone.
            .annotate(loaded=Count("*"), registered=Count("registered_at"))
            .order_by("source_location__name", "source_location_id"))
    return [(row["source_location__name"], row["loaded"], row["registered"]) for row in rows]


def dashboard_products(*, location_ids):
    """The products the product filter offers: those ever stocked at the locations."""
    return VaccineProduct.objects.filter(lots__location_id__in=location_ids).distinct().order_by("display_name")
