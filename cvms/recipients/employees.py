"""An employer's employees as its coordinators see them: who they are, when they were added,
whether their welcome email went out and whether they completed registration. Never a dose, a
health answer or a vaccine group: the rows carry only ``EMPLOYEE_FIELDS``."""

from django.core.paginator import Page, Paginator
from django.db.models import F, Q
from django.db.models.functions import Lower

from cvms.recipients.models import SEARCH_NAME, Recipient

#: What an employer may read of its employees.
EMPLOYEE_FIELDS = ("id", "first_name", "last_name", "email", "created_at", "welcome_email_status",
                   "welcome_email_sent_at", "welcome_email_failure", "registered_at")

#: Sort key -> order, each served by an index on (employer, ...) (see ``Recipient.Meta.indexes``).
EMPLOYEE_SORTS = {
    "name": (F("last_name"), F("first_name"), F("id")),
    "added": (F("created_at"), F("id")),
    "registration": (F("registered_at"), F("id")),
}
EMPLOYEES_PER_PAGE = 50


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


def employees_page(*, employer, search: str = "", sort: str = "name", descending: bool = False,
                   page: int | str | None = 1, size: int = EMPLOYEES_PER_PAGE) -> Page:
    """A page of ``employer``'s employees (``EMPLOYEE_FIELDS`` only), sorted by name, date added or
    registration (not yet registered last, ascending), with the count of all that match."""
    order = EMPLOYEE_SORTS.get(sort, EMPLOYEE_SORTS["name"])
    order = [key.desc(nulls_first=True) if descending else key.asc(nulls_last=True) for key in order]
    employees = employees_of(employer, search=search).order_by(*order).only(*EMPLOYEE_FIELDS)
    return Paginator(employees, size).get_page(page)
