"""Reads of recipients that several places need: a location's loaded recipients, page by page."""

import datetime
from dataclasses import dataclass
from functools import partial

from django.db.models.functions import Coalesce

from cvms.core.keyset import cursor_decode, cursor_encode
from cvms.core.keyset import keyset_beyond as _from
from cvms.recipients.models import Recipient

RECIPIENT_SORTS = {"first_name", "last_name", "date_of_birth", "email"}
MATCH_COUNT_CAP = 1000
#: Rows past the cursor that a search with many matches looks through in page order before it
#: sorts the matches instead (see _search_rows).
SEARCH_PROBE_ROWS = 2000
_LIST_FIELDS = ("id", "first_name", "last_name", "date_of_birth", "email", "welcome_email_status",
                "welcome_email_failure", "user_id")


@dataclass
class RecipientPage:
    rows: list
    total: int  # all loaded at the location (from the kept counter) or matches, capped
    total_capped: bool
    next_cursor: str | None
    prev_cursor: str | None


def _encode_cursor(recipient, sort: str) -> str:
    return cursor_encode(getattr(recipient, sort), recipient.pk)


def _decode_cursor(cursor: str, sort: str):
    return cursor_decode(cursor, datetime.date.fromisoformat if sort == "date_of_birth" else str)


def _matching(recipients, *, search: str, registered: bool | None):
    """``recipients`` whose names match ``search`` and, unless ``registered`` is None, who have
    (True) or have not yet (False) completed their registration: a portal account."""
    if search.strip():
        recipients = recipients.search(search)
    if registered is not None:
        recipients = recipients.filter(user__isnull=not registered)
    return recipients


def _search_rows(beyond, narrow, *, sort: str, ascending: bool, capped: bool, limit: int) -> list:
    """The first ``limit`` rows of ``beyond`` (a location's rows past the cursor) that ``narrow``
    keeps (a name search, the registration filter).

    Walking the location's index in page order and testing each row is quick when matches are
    common early in that order and slow when they are not: "smi" walks every name before
    Goldsmith. Finding the matches with the trigram indexes (or the index of portal accounts) and
    sorting them is quick when they are few. So a search with few matches (the count is not
    capped) sorts them; one with many first tries the next SEARCH_PROBE_ROWS rows in page order,
    and sorts the matches only when those rows do not fill the page.
    """
    order = [sort, "pk"] if ascending else [f"-{sort}", "-pk"]
    if capped:
        edge = list(beyond.order_by(*order).values_list(sort, "pk")[SEARCH_PROBE_ROWS - 1:SEARCH_PROBE_ROWS])
        window = beyond.filter(_from(sort, *edge[0], ascending=not ascending, inclusive=True)) if edge else beyond
        rows = list(narrow(window).order_by(*order).only(*_LIST_FIELDS)[:limit])
        if len(rows) == limit or not edge:
            return rows
    # The same order, but by an expression no index holds: PostgreSQL cannot walk the location's
    # index in page order, so it finds the matches with the trigram indexes and sorts only those.
    key = Coalesce(sort, sort)
    by_key = [key.asc() if ascending else key.desc(), order[1]]
    return list(narrow(beyond).order_by(*by_key).only(*_LIST_FIELDS)[:limit])


def loaded_recipients_page(*, location, search: str = "", registered: bool | None = None,
                           sort: str = "last_name", descending: bool = False, after: str = "", before: str = "",
                           size: int = 25) -> RecipientPage:
    """A page of a location's loaded recipients with keyset pagination: fast on any page of a
    million rows, and never an exact count of the whole table. ``registered`` keeps those who
    completed their registration (True) or not yet (False) (FAQ 17)."""
    sort = sort if sort in RECIPIENT_SORTS else "last_name"
    located = Recipient.objects.loaded_at(location)
    cursor = _decode_cursor(after or before, sort) if (after or before) else None
    forward = not before or cursor is None  # a cursor that does not read is the first page
    ascending = forward != descending
    beyond = located if cursor is None else located.filter(_from(sort, *cursor, ascending=ascending))
    if search.strip() or registered is not None:
        narrow = partial(_matching, search=search, registered=registered)
        # Unordered, so the count stops at the cap instead of sorting every match first.
        total = narrow(located).order_by()[:MATCH_COUNT_CAP + 1].count()
        capped = total > MATCH_COUNT_CAP
        total = min(total, MATCH_COUNT_CAP)
        rows = _search_rows(beyond, narrow, sort=sort, ascending=ascending, capped=capped, limit=size + 1)
    else:
        total, capped = location.loaded_recipient_count, False
        order = [sort, "pk"] if ascending else [f"-{sort}", "-pk"]
        rows = list(beyond.order_by(*order).only(*_LIST_FIELDS)[:size + 1])
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
