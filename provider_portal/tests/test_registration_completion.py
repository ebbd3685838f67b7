"""FAQ 17: the location's loaded recipients show who completed their registration (the
registration form of the Recipient Portal) and the doses recorded for them, and can be narrowed to either group."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.tests.factories import UserFactory
from cvms.immunizations.services.administer import immunization_mark_entered_in_error
from cvms.immunizations.tests.history_fixtures import give, local, receive
from cvms.recipients import selectors
from cvms.recipients.models import Recipient
from cvms.recipients.selectors import loaded_recipients_page
from cvms.recipients.tests.factories import RecipientFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _loaded(tenant, count: int, *, registered_every: int = 0, start: int = 0) -> list[Recipient]:
    """``count`` recipients loaded at the tenant's location (one in ``registered_every`` with a
    portal account and the registration form completed), besides the tenant's own two, of whom
    the one with an account has completed it."""
    Recipient.objects.filter(pk=tenant.recipient.pk).update(registered_at=timezone.now())
    people = []
    for n in range(start, start + count):
        registered = registered_every and n % registered_every == 0
        people.append(RecipientFactory(first_name=f"Ann{n:03d}", last_name="Loaded", source_location=tenant.location,
                                       user=UserFactory() if registered else None,
                                       registered_at=timezone.now() if registered else None))
    return people


def _url(tenant):
    return reverse("provider_portal:bulk", args=[tenant.location.pk])


def _row(body: str, recipient) -> str:
    return body.split(f'data-recipient-id="{recipient.pk}"')[1].split("</tr>")[0]


def test_each_loaded_recipient_shows_their_registration_and_doses(client, tenant_a):
    lot = receive(tenant_a, "AA1")
    registered, waiting = tenant_a.recipient, RecipientFactory(source_location=tenant_a.location, email="w@example.com")
    give(tenant_a, lot, local(TODAY - 30 * DAY), recipient=registered)
    give(tenant_a, lot, local(TODAY - 2 * DAY), recipient=registered)
    wrong = give(tenant_a, lot, local(TODAY - DAY), recipient=waiting)
    immunization_mark_entered_in_error(immunization=wrong, reason="Wrong recipient", actor=tenant_a.manager)
    Recipient.objects.filter(pk=registered.pk).update(welcome_email_status="sent", registered_at=timezone.now())
    client.force_login(tenant_a.manager)
    body = client.get(_url(tenant_a)).content.decode()
    row = _row(body, registered)
    assert '<span class="usa-tag bg-green">Completed</span>' in row and "Sent" in row  # the welcome email too
    assert f"2 doses, the last on {TODAY - 2 * DAY:%b} {(TODAY - 2 * DAY).day}, {TODAY - 2 * DAY:%Y}" in row
    row = _row(body, waiting)
    assert "Not yet" in row and "No dose recorded" in row  # a dose entered in error is no dose


@pytest.mark.parametrize(("registration", "expected"), [("completed", "registered"), ("not_yet", "waiting"),
                                                        ("", "everyone"), ("bogus", "everyone")])
def test_the_registration_filter_keeps_either_group(client, tenant_a, registration, expected):
    people = _loaded(tenant_a, 6, registered_every=3)
    groups = {"registered": {tenant_a.recipient.pk, people[0].pk, people[3].pk}}
    groups["everyone"] = {r.pk for r in Recipient.objects.loaded_at(tenant_a.location)}
    groups["waiting"] = groups["everyone"] - groups["registered"]
    client.force_login(tenant_a.manager)
    response = client.get(_url(tenant_a), {"registration": registration})
    assert response.status_code == 200
    assert {r.pk for r in response.context["page"].rows} == groups[expected]


def test_the_filter_combines_with_the_search_and_every_link_keeps_it(client, tenant_a, monkeypatch):
    _loaded(tenant_a, 8, registered_every=2)
    client.force_login(tenant_a.manager)
    response = client.get(_url(tenant_a), {"registration": "completed", "q": "ann00"})
    page = response.context["page"]
    assert [r.first_name for r in page.rows] == ["Ann000", "Ann002", "Ann004", "Ann006"] and page.total == 4
    body = response.content.decode()
    assert "4 matching records" in body and 'aria-current="true" href="?q=ann00&amp;registration=completed' in body
    assert "&amp;registration=completed&amp;sort=first_name" in body  # the sort links
    assert '<input type="hidden" name="registration" value="completed">' in body  # the search box
    monkeypatch.setattr("provider_portal.bulk_views.loaded_recipients_page",
                        lambda **kwargs: loaded_recipients_page(**{**kwargs, "size": 2}))
    body = client.get(_url(tenant_a), {"registration": "completed"}).content.decode()
    assert "registration=completed&amp;sort=last_name&amp;dir=asc&amp;after=" in body  # the next page


@pytest.mark.parametrize("probe_rows", [2, 2000])
def test_paging_through_the_registered_gives_each_once_in_order_however_they_are_found(tenant_a, monkeypatch,
                                                                                        probe_rows):
    """Many matches walk the list in page order (a small probe); few are found and sorted."""
    monkeypatch.setattr(selectors, "SEARCH_PROBE_ROWS", probe_rows)
    monkeypatch.setattr(selectors, "MATCH_COUNT_CAP", 3)
    _loaded(tenant_a, 20, registered_every=3)
    expected = list(Recipient.objects.loaded_at(tenant_a.location).filter(registered_at__isnull=False)
                    .order_by("first_name", "pk").values_list("pk", flat=True))
    seen, cursor = [], ""
    while True:
        page = loaded_recipients_page(location=tenant_a.location, registered=True, sort="first_name", after=cursor,
                                      size=3)
        seen += [r.pk for r in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected and len(expected) == 8


def test_a_previous_page_cursor_that_does_not_read_shows_the_first_page(client, tenant_a):
    people = _loaded(tenant_a, 30)
    client.force_login(tenant_a.manager)
    page = client.get(_url(tenant_a), {"sort": "first_name", "before": "%%%garbage"}).context["page"]
    assert page.rows[0].pk == people[0].pk and page.prev_cursor is None


def test_the_list_costs_the_same_queries_for_five_recipients_or_twenty_five(client, tenant_a):
    lot = receive(tenant_a, "AA1")
    people = _loaded(tenant_a, 3, registered_every=2)
    give(tenant_a, lot, local(TODAY - DAY), recipient=people[0])
    client.force_login(tenant_a.manager)
    client.get(_url(tenant_a))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(tenant_a))
    for person in _loaded(tenant_a, 22, registered_every=2, start=3)[:5]:
        give(tenant_a, lot, local(TODAY - DAY), recipient=person)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(_url(tenant_a)).context["recipients"]) == 25
    assert len(many) == len(few)


@pytest.mark.parametrize("value", [None, ["x"], {"a": 1}, 7])
def test_a_cursor_holding_no_name_is_read_as_text_not_a_500(client, tenant_a, value):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps([value, 1]).encode()).decode()
    client.force_login(tenant_a.manager)
    for direction in ("after", "before"):
        assert client.get(_url(tenant_a), {"sort": "last_name", direction: cursor}).status_code == 200
