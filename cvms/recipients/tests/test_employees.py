"""An employer's employee list: search, sorts, count, and nothing medical."""

import datetime

import pytest
from django.utils import timezone

from cvms.recipients.employees import EMPLOYEE_FIELDS, employees_page
from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory


@pytest.fixture
def staff(tenant_a, tenant_b):
    employer = tenant_a.employer
    Recipient.objects.filter(employer=employer).delete()
    now = timezone.now()
    people = [
        RecipientFactory(first_name="Zoe", last_name="Adams", email="zoe@acme.example", employer=employer),
        RecipientFactory(first_name="Ann", last_name="Baker", email="ann.b@acme.example", employer=employer,
                         registered_at=now - datetime.timedelta(days=2)),
        RecipientFactory(first_name="Bob", last_name="Cole", email="bob@elsewhere.example", employer=employer,
                         registered_at=now - datetime.timedelta(days=5)),
    ]
    for days, person in zip((3, 1, 2), people, strict=True):
        Recipient.objects.filter(pk=person.pk).update(created_at=now - datetime.timedelta(days=days))
    RecipientFactory(first_name="Ann", last_name="Other", email="ann@other.example", employer=tenant_b.employer)
    return people


def _names(page):
    return [e.last_name for e in page.rows]


def test_employees_are_sorted_by_name_date_added_or_registration(tenant_a, staff):
    employer = tenant_a.employer
    assert _names(employees_page(employer=employer)) == ["Adams", "Baker", "Cole"]
    assert _names(employees_page(employer=employer, sort="name", descending=True)) == ["Cole", "Baker", "Adams"]
    assert _names(employees_page(employer=employer, sort="added")) == ["Adams", "Cole", "Baker"]
    assert _names(employees_page(employer=employer, sort="registration")) == ["Cole", "Baker", "Adams"], \
        "the earliest registered first, those not registered yet last"
    assert _names(employees_page(employer=employer, sort="registration", descending=True)) == [
        "Adams", "Baker", "Cole"]


def test_employee_search_matches_names_or_the_start_of_an_email(tenant_a, staff):
    employer = tenant_a.employer
    assert _names(employees_page(employer=employer, search="ann")) == ["Baker"], "never another employer's Ann"
    assert _names(employees_page(employer=employer, search="bob cole")) == ["Cole"]
    assert _names(employees_page(employer=employer, search="ZOE@ACME")) == ["Adams"]
    assert _names(employees_page(employer=employer, search="acme.example")) == [], "an email matches from its start"
    assert employees_page(employer=employer, search="ann").total == 1


def test_employee_list_counts_and_pages(tenant_a, staff):
    first = employees_page(employer=tenant_a.employer, size=2)
    assert first.total == 3 and _names(first) == ["Adams", "Baker"] and first.prev_cursor is None
    second = employees_page(employer=tenant_a.employer, size=2, after=first.next_cursor)
    assert _names(second) == ["Cole"] and second.next_cursor is None
    assert _names(employees_page(employer=tenant_a.employer, size=2, before=second.prev_cursor)) == ["Adams", "Baker"]
    assert _names(employees_page(employer=tenant_a.employer, size=2, after="not-a-cursor")) == ["Adams", "Baker"]


@pytest.mark.parametrize("sort", ["name", "added", "registration"])
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_pages_through_every_employee_once_in_order(tenant_a, sort, descending):
    """Pages of two, through same last names and through those not registered yet, forward and back."""
    employer = tenant_a.employer
    now = timezone.now()
    for n, (first, last) in enumerate([("Ann", "Smith"), ("Zed", "Smith"), ("Bea", "Smith"), ("Cal", "Jones"),
                                       ("Dot", "Young"), ("Eve", "Jones"), ("Fay", "Adams")]):
        person = RecipientFactory(first_name=first, last_name=last, employer=employer,
                                  registered_at=now - datetime.timedelta(hours=n) if n % 2 else None)
        Recipient.objects.filter(pk=person.pk).update(created_at=now - datetime.timedelta(days=n % 3))
    expected = [e.pk for e in employees_page(employer=employer, sort=sort, descending=descending, size=100).rows]
    pages, cursor = [], ""
    while True:
        page = employees_page(employer=employer, sort=sort, descending=descending, size=2, after=cursor)
        pages.append(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert [e.pk for p in pages for e in p.rows] == expected and len(expected) == 8
    back = employees_page(employer=employer, sort=sort, descending=descending, size=2, before=pages[-1].prev_cursor)
    assert back.rows == pages[-2].rows


def test_sort_orders_are_what_the_coordinator_expects(tenant_a):
    employer = tenant_a.employer
    Recipient.objects.filter(employer=employer).delete()
    RecipientFactory(first_name="Zed", last_name="Smith", employer=employer, registered_at=timezone.now())
    RecipientFactory(first_name="Ann", last_name="Smith", employer=employer)
    assert [e.first_name for e in employees_page(employer=employer).rows] == ["Ann", "Zed"]
    assert [e.first_name for e in employees_page(employer=employer, sort="registration").rows] == ["Zed", "Ann"]


def test_employee_rows_carry_nothing_medical(tenant_a, staff):
    [row, *_] = employees_page(employer=tenant_a.employer).rows
    loaded = {f.attname for f in Recipient._meta.concrete_fields} - row.get_deferred_fields()
    assert loaded == set(EMPLOYEE_FIELDS)
    assert not {"date_of_birth", "sex", "race", "ethnicity", "phone", "user_id"} & loaded
