"""An employer's employees as its coordinators see them: who they are, when they were added,
whether their welcome email went out and whether they completed registration. Never a dose, a
health answer or a vaccine group: the rows carry only ``EMPLOYEE_FIELDS``.

Pages are keyset pages (``cvms.core.keyset``) over an index of each sort, so the last page of
50,000 employees costs what the first does (``bench/bench_employee_list.py``)."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, Field, Func, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThan, LessThan

from cvms.core.keyset import cursor_decode, cursor_encode
from cvms.recipients import choices as c
from cvms.recipients.models import REGISTERED_KEY, REGISTRATION_NOT_YET, SEARCH_NAME, Recipient, RecipientRequest

#: What an employer may read of its employees.
EMPLOYEE_FIELDS = ("id", "first_name", "last_name", "email", "created_at", "welcome_email_status",
                   "welcome_email_sent_at", "welcome_email_failure", "registered_at")

#: Sort key -> the columns of its order (then the id), each an index on (employer, ..., id).
EMPLOYEE_SORTS = {
    "name": ("last_name", "first_name"),
    "added": ("created_at",),
    "registration": ("registered_key",),
}
EMPLOYEES_PER_PAGE = 50


@dataclass(frozen=True)
class EmployeePage:
    rows: list
    total: int  # every employee that matches
    next_cursor: str | None
    prev_cursor: str | None


def employees_of(employer, *, search: str = ""):
    """``employer``'s employees whose every word of ``search`` is in their name, or whose email
    starts with it (ignoring case)."""
    employees = Recipient.objects.filter(employer=employer)
    text = search.strip()
    if not text:
        return employees
    by_name = Q()
    for word in text.split()[:5]:
        by_name &= Q(search_name__contains=word.upper())
    return employees.alias(search_name=SEARCH_NAME, email_lower=Lower("email")).filter(
        by_name | Q(email_lower__startswith=text.lower()))


#: The sort columns that hold a moment (a cursor carries it as ISO text).
_MOMENTS = {"created_at", "registered_key"}


def _key(row, columns) -> list:
    values = [(row.registered_at or REGISTRATION_NOT_YET) if c == "registered_key" else getattr(row, c)
              for c in columns]
    return [v.isoformat() if isinstance(v, datetime.datetime) else v for v in values]


def employee_cursor(row, sort: str) -> str:
    """The cursor of the page that starts after ``row`` in the ``sort`` order."""
    return cursor_encode(_key(row, EMPLOYEE_SORTS[sort]), row.pk)


class _Row(Func):
    """A row of values, ``(a, b, c)``, that PostgreSQL compares column by column."""

    template = "(%(expressions)s)"
    output_field = Field()


def _beyond(columns, values, pk: int, *, ascending: bool):
    """Rows past (values..., pk) in the page order: one row comparison, which PostgreSQL answers
    from the sort's index, starting at the row (even among thousands not registered yet)."""
    past = GreaterThan if ascending else LessThan
    return past(_Row(*[F(c) for c in (*columns, "pk")]), _Row(*[Value(v) for v in (*values, pk)]))


def _decode(cursor: str, columns) -> tuple | None:
    """The (values, pk) of ``cursor`` for ``columns``; None when it is no such cursor."""
    decoded = cursor_decode(cursor, list)
    if decoded is None or len(decoded[0]) != len(columns) or not all(isinstance(v, str) for v in decoded[0]):
        return None
    try:
        values = [datetime.datetime.fromisoformat(v) if c in _MOMENTS else v for c, v in zip(columns, decoded[0],
                                                                                               strict=True)]
    except ValueError:
        return None
    if any(c in _MOMENTS and v.tzinfo is None for c, v in zip(columns, values, strict=True)):
        return None
    return values, decoded[1]


#: Whether the employee's removal waits for staff (one look-up of a unique index per row shown).
_REMOVAL_WAITING = Exists(RecipientRequest.objects.filter(recipient=OuterRef("pk"), kind=c.RequestKind.REMOVAL,
                                                          status=c.RequestStatus.OPEN))


def employees_page(*, employer, search: str = "", sort: str = "name", descending: bool = False,
                   after: str = "", before: str = "", size: int = EMPLOYEES_PER_PAGE) -> EmployeePage:
    """A page of ``employer``'s employees (``EMPLOYEE_FIELDS`` only) sorted by name, date added or
    registration (the earliest first, those not registered yet last), after or before a cursor,
    with the count of all that match. Each row says whether its removal was requested
    (``removal_requested``). A cursor that does not read is the first page."""
    columns = EMPLOYEE_SORTS.get(sort, EMPLOYEE_SORTS["name"])
    matching = employees_of(employer, search=search).alias(registered_key=REGISTERED_KEY)
    cursor = _decode(after or before, columns) if (after or before) else None
    forward = not before or cursor is None
    ascending = forward != descending
    beyond = matching if cursor is None else matching.filter(_beyond(columns, *cursor, ascending=ascending))
    order = [F(c).asc() if ascending else F(c).desc() for c in (*columns, "pk")]
    rows = list(beyond.order_by(*order).only(*EMPLOYEE_FIELDS).annotate(removal_requested=_REMOVAL_WAITING)[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    has_next = more if forward else True
    has_prev = (cursor is not None) if forward else more
    return EmployeePage(
        rows=rows, total=matching.order_by().count(),
        next_cursor=cursor_encode(_key(rows[-1], columns), rows[-1].pk) if rows and has_next else None,
        prev_cursor=cursor_encode(_key(rows[0], columns), rows[0].pk) if rows and has_prev else None,
    )
