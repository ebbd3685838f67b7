"""The Account History tab and its CSV export, as each role sees them."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.immunizations.tests.history_fixtures import give, local, receive
from cvms.recipients.tests.factories import RecipientFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _url(name, tenant, **query):
    url = reverse(f"provider_portal:{name}", args=[tenant.location.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


@pytest.fixture
def doses(tenant_a):
    """Two lots; three doses on three days, the oldest by the manager."""
    first, second = receive(tenant_a, "AA1"), receive(tenant_a, "BB2")
    return [give(tenant_a, second, local(TODAY - DAY)), give(tenant_a, first, local(TODAY - 2 * DAY)),
            give(tenant_a, first, local(TODAY - 3 * DAY), vaccinator=tenant_a.manager)]


def _ids(response) -> list[int]:
    return [dose.pk for dose in response.context["page"].rows]


def test_the_history_lists_every_dose_newest_first_with_what_each_record_says(client, tenant_a, doses):
    client.force_login(tenant_a.coordinator)
    response = client.get(_url("account_history", tenant_a))
    assert response.status_code == 200 and _ids(response) == [dose.pk for dose in doses]
    body = response.content.decode()
    row = body.split(f'data-immunization-id="{doses[2].pk}"')[1].split("</tr>")[0]
    recipient = doses[2].recipient
    for shown in (recipient.first_name, f"{recipient.date_of_birth:%m/%d/%Y}", "AA1", doses[2].lot.product.display_name,
                  tenant_a.manager.get_full_name(), "Completed",
                  reverse("provider_portal:dose", args=[tenant_a.location.pk, doses[2].pk])):
        assert shown in row, shown
    assert 'data-testid="account-history-link"' in body and 'aria-current="page">Account History' in body
    assert "3 doses" in body


def test_each_filter_narrows_the_list_and_the_export_link_keeps_it(client, tenant_a, doses):
    client.force_login(tenant_a.vaccinator)
    lot, product = doses[1].lot, doses[1].lot.product
    day = f"{TODAY - 2 * DAY:%m/%d/%Y}"
    assert _ids(client.get(_url("account_history", tenant_a, date_from=day, date_to=day))) == [doses[1].pk]
    assert _ids(client.get(_url("account_history", tenant_a, lot=lot.pk))) == [doses[1].pk, doses[2].pk]
    assert _ids(client.get(_url("account_history", tenant_a, product=product.pk))) == [d.pk for d in doses]
    response = client.get(_url("account_history", tenant_a, vaccinator=tenant_a.manager.pk))
    assert _ids(response) == [doses[2].pk]
    export = f'{_url("account_history_csv", tenant_a)}?vaccinator={tenant_a.manager.pk}'
    assert export in response.content.decode()


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"date_from": "13/45/2021"}, "date_from", "Given from: Enter a valid date."),
    ({"date_to": "yesterday"}, "date_to", "Given to: Enter a valid date."),
    ({"date_from": "03/02/2021", "date_to": "03/01/2021"}, "date_to", "The end date is before the start date."),
    ({"lot": "999999"}, "lot", "Lot: Select a valid choice."),
    ({"vaccinator": "x"}, "vaccinator", "Vaccinator: Select a valid choice."),
])
def test_a_bad_filter_names_its_field_and_lists_nothing(client, tenant_a, doses, query, field, message):
    client.force_login(tenant_a.manager)
    response = client.get(_url("account_history", tenant_a, **query))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert message in response.content.decode() and response.context["page"] is None


def test_another_locations_lot_and_a_front_desk_person_are_no_filter_here(client, tenant_a, tenant_b, doses):
    other_lot = receive(tenant_b, "ZZ9")
    client.force_login(tenant_a.manager)
    for query in ({"lot": other_lot.pk}, {"vaccinator": tenant_a.front_desk.pk},
                  {"vaccinator": tenant_b.vaccinator.pk}):
        assert client.get(_url("account_history", tenant_a, **query)).status_code == 400, query


def test_pages_link_to_each_other_and_keep_the_filters(client, tenant_a, doses, monkeypatch):
    from cvms.immunizations import selectors

    original = selectors.account_history_page
    monkeypatch.setattr("provider_portal.history_views.account_history_page",
                        lambda **kwargs: original(**kwargs, size=2))
    client.force_login(tenant_a.manager)
    first = client.get(_url("account_history", tenant_a, product=doses[0].lot.product.pk))
    assert _ids(first) == [doses[0].pk, doses[1].pk]
    cursor = first.context["page"].next_cursor
    link = f"?product={doses[0].lot.product.pk}&amp;after={cursor}"
    assert link in first.content.decode()
    second = client.get(_url("account_history", tenant_a, product=doses[0].lot.product.pk, after=cursor))
    assert _ids(second) == [doses[2].pk] and second.context["page"].prev_cursor


def test_the_page_costs_the_same_queries_for_three_doses_or_thirty(client, tenant_a, doses):
    client.force_login(tenant_a.manager)
    url = _url("account_history", tenant_a)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    lot = receive(tenant_a, "CC3")
    for n in range(4, 30):
        give(tenant_a, lot, local(TODAY - n * DAY), recipient=RecipientFactory())
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["page"].rows) == 25
    assert len(many) == len(few)


def test_the_export_downloads_the_filtered_doses_formula_safe_and_is_audited(client, tenant_a, doses):
    hostile = RecipientFactory(first_name="@SUM(A1)", last_name="-2+3")
    give(tenant_a, doses[1].lot, local(TODAY - 4 * DAY), recipient=hostile)
    client.force_login(tenant_a.manager)
    response = client.get(_url("account_history_csv", tenant_a, lot=doses[1].lot.pk))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="account-history-{tenant_a.location.provider_pin}-{TODAY:%Y-%m-%d}.csv"')
    header, *rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows] == [doses[1].recipient.first_name, doses[2].recipient.first_name, "'@SUM(A1)"]
    assert rows[-1][1] == "'-2+3"
    entry = AuditLog.objects.get(action="immunizations.account_history.exported")
    assert (entry.actor, entry.changes["lot"]) == (tenant_a.manager, doses[1].lot.pk)


def test_a_bad_filter_exports_nothing_and_logs_nothing(client, tenant_a, doses):
    client.force_login(tenant_a.manager)
    response = client.get(_url("account_history_csv", tenant_a, date_from="02/30/2021"))
    assert response.status_code == 400 and "Given from: Enter a valid date." in response.content.decode()
    assert not AuditLog.objects.filter(action="immunizations.account_history.exported").exists()


def test_state_staff_read_any_locations_history_but_are_not_sent_to_the_clinics_records(
        client, tenant_a, doses, state_reviewer):
    client.force_login(state_reviewer)
    response = client.get(_url("account_history", tenant_a))
    assert response.status_code == 200 and _ids(response) == [dose.pk for dose in doses]
    assert reverse("provider_portal:dose", args=[tenant_a.location.pk, doses[0].pk]) not in response.content.decode()
    assert client.get(_url("account_history_csv", tenant_a)).status_code == 200


def test_front_desk_has_no_account_history_and_no_tab_for_it(client, tenant_a, doses):
    client.force_login(tenant_a.front_desk)
    assert client.get(_url("account_history", tenant_a)).status_code == 403
    assert client.get(_url("account_history_csv", tenant_a)).status_code == 403
    inventory = client.get(reverse("provider_portal:inventory", args=[tenant_a.location.pk])).content.decode()
    assert 'data-testid="account-history-link"' not in inventory and 'data-testid="paper-forms-link"' in inventory


def test_a_vaccinator_elsewhere_cannot_read_this_locations_history(client, tenant_a, tenant_b, doses):
    client.force_login(tenant_b.vaccinator)
    assert client.get(_url("account_history", tenant_a)).status_code == 404
    assert client.get(_url("account_history_csv", tenant_a)).status_code == 404
    assert not AuditLog.objects.filter(action="immunizations.account_history.exported").exists()


def test_wrong_method_and_anonymous(client, tenant_a):
    for name in ("account_history", "account_history_csv"):
        assert client.get(_url(name, tenant_a)).status_code == 302  # to sign in
        client.force_login(tenant_a.manager)
        assert client.post(_url(name, tenant_a)).status_code == 405
        client.logout()
