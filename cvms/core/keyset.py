"""Keyset pagination: a page starts after the last row of the one before it, found by its sort
value and primary key, so any page of a million rows costs what the first one does.

A cursor is that (value, pk) pair as URL-safe text. It comes back from the browser, so reading it
never fails: a cursor that does not parse is no cursor (the first page)."""

import base64
import binascii
import json
from collections.abc import Callable

from django.db.models import Q


def cursor_encode(value, pk: int) -> str:
    raw = json.dumps([value.isoformat() if hasattr(value, "isoformat") else value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def cursor_decode(cursor: str, parse: Callable = lambda value: value) -> tuple | None:
    """The (value, pk) of ``cursor``, the value read back by ``parse`` (``date.fromisoformat``
    for a date); None when the text is no cursor."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        return parse(value), int(pk)
    except (ValueError, TypeError, json.JSONDecodeError, binascii.Error):
        return None


def keyset_beyond(field: str, value, pk: int, *, ascending: bool, inclusive: bool = False) -> Q:
    """Rows past (value, pk) in the page order, and that row itself when ``inclusive``. The
    plain bound on the sort column lets PostgreSQL start its index scan at the row instead of at
    the first row; the OR then drops the rows before it that share its value."""
    bound, strict = ("gte", "gt") if ascending else ("lte", "lt")
    return Q(**{f"{field}__{bound}": value}) & (
        Q(**{f"{field}__{strict}": value}) | Q(**{f"pk__{bound if inclusive else strict}": pk})
    )
