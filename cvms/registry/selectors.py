import base64
import binascii
import datetime
import json
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from cvms.registry.models import Recipient, RedistributionAgreement


def location_stock_summary(locations):
    """Locations annotated with their unexpired lots and doses on hand, in one query."""
    today = timezone.localdate()
    unexpired = Q(lots__expiration_date__gte=today)
    return locations.annotate(
        lot_count=Count("lots", filter=unexpired),
        doses_on_hand=Sum("lots__on_hand", filter=unexpired, default=0),
    ).order_by("name")


RECIPIENT_SORTS = {"first_name", "last_name", "date_of_birth", "email"}
MATCH_COUNT_CAP = 1000


@dataclass
class RecipientPage:
    rows: list
    total: int  # all loaded at the location (from the kept counter) or matches, capped
    total_capped: bool
    next_cursor: str | None
    prev_cursor: str | None


def _encode_cursor(recipient, sort: str) -> str:
    value = getattr(recipient, sort)
    raw = json.dumps([value.isoformat() if hasattr(value, "isoformat") else value, recipient.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str, sort: str):
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if sort == "date_of_birth":
            value = datetime.date.fromisoformat(value)
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError, binascii.Error):
        return None


def loaded_recipients_page(*, location, search: str = "", sort: str = "last_name", descending: bool = False,
                           after: str = "", before: str = "", size: int = 25) -> RecipientPage:
    """A page of a location's loaded recipients with keyset pagination: fast on any page of a
    million rows, and never an exact count of the whole table."""
    sort = sort if sort in RECIPIENT_SORTS else "last_name"
    base = Recipient.objects.loaded_at(location)
    if search.strip():
        base = base.search(search)
        total = base[:MATCH_COUNT_CAP + 1].count()
        capped = total > MATCH_COUNT_CAP
        total = min(total, MATCH_COUNT_CAP)
    else:
        total, capped = location.loaded_recipient_count, False
    forward = not before
    cursor = _decode_cursor(after or before, sort) if (after or before) else None
    ascending = forward != descending
    query = base
    if cursor is not None:
        value, pk = cursor
        beyond = "gt" if ascending else "lt"
        query = query.filter(Q(**{f"{sort}__{beyond}": value}) | Q(**{sort: value, f"pk__{beyond}": pk}))
    order = [sort, "pk"] if ascending else [f"-{sort}", "-pk"]
    rows = list(query.order_by(*order).only("id", "first_name", "last_name", "date_of_birth", "email",
                                             "welcome_email_status", "user_id")[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    has_next = more if forward else bool(before)
    has_prev = (cursor is not None) if forward else more
    return RecipientPage(
        rows=rows, total=total, total_capped=capped,
        next_cursor=_encode_cursor(rows[-1], sort) if rows and has_next else None,
        prev_cursor=_encode_cursor(rows[0], sort) if rows and has_prev else None,
    )


def redistribution_allowed(*, source, destination) -> bool:
    """Whether a signed redistribution agreement in force covers both locations."""
    return source.organization_id == destination.organization_id and RedistributionAgreement.objects.filter(
        organization_id=source.organization_id, withdrawn_at__isnull=True, locations=source,
    ).filter(locations=destination).exists()
