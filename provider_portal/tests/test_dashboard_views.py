"""A location's dashboard and its CSV downloads, as each role sees them."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.dashboards.figures import FIGURE_KEYS
from cvms.immunizations.tests.history_fixtures import give, local, receive
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _url(tenant, figure=None, location=None, **query):
    location = location or tenant.location
    url = (reverse("provider_portal:dashboard_csv", args=[location.pk, figure]) if figure
           else reverse("provider_portal:dashboard", args=[location.pk]))
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def doses(tenant_a):
    """Three doses over two days at tenant A's first location; stock at its second."""
    lot = receive(tenant_a, "AA1")
    lot_receive(location=tenant_a.other_location, product=lot.product, lot_number="CC3",
                        expiration_date=TODAY + 60 * DAY, doses=10)
    return [give(tenant_a, lot, local(TODAY - DAY)), give(tenant_a, lot, local(TODAY - DAY)),
            give(tenant_a, lot, local(TODAY - 3 * DAY))]


@pytest.mark.parametrize("role", ["manager", "coordinator"])
def test_managers_and_coordinators_see_every_figure_of_their_location(client, tenant_a, doses, role):
    client.force_login(getattr(tenant_a, role))
    response = client.get(_url(tenant_a))
    assert response.status_code == 200
    tables = {table.key: table for table in response.context["tables"]}
    assert list(tables) == list(FIGURE_KEYS)
    product = doses[0].lot.product.display_name
    assert tables["doses"].columns == ["Day", product]
    assert [row[1] for row in tables["doses"].rows] == [1, 2]  # three days ago, yesterday
    assert tables["supply"].rows == [[product, 47, 0.1, 470.0]]  # the second location's stock is not counted
    body = response.content.decode()
    assert 'data-chart="line"' in body and "vendor/chartjs/chart.umd.min.js" in body
    assert reverse("provider_portal:dashboard_csv", args=[tenant_a.location.pk, "wastage"]) in body


def test_the_location_tabs_link_to_the_dashboard_only_for_those_who_may_read_it(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert 'data-testid="dashboard-link"' in client.get(reverse("provider_portal:inventory",
                                                                args=[tenant_a.location.pk])).content.decode()
    client.force_login(tenant_a.vaccinator)
    assert 'data-testid="dashboard-link"' not in client.get(reverse("provider_portal:inventory",
                                                                    args=[tenant_a.location.pk])).content.decode()


@pytest.mark.parametrize("role", ["vaccinator", "front_desk", "org_admin"])
def test_other_roles_are_refused_the_dashboard_and_its_csv(client, tenant_a, role):
    client.force_login(getattr(tenant_a, role))
    assert client.get(_url(tenant_a)).status_code in (403, 404)
    assert client.get(_url(tenant_a, "doses")).status_code in (403, 404)


def test_a_manager_of_another_location_gets_404(client, tenant_a, tenant_b):
    client.force_login(tenant_b.manager)
    assert client.get(_url(tenant_a)).status_code == 404
    assert client.get(_url(tenant_a, "supply")).status_code == 404


def test_anonymous_people_are_sent_to_sign_in_and_posts_are_refused(client, tenant_a):
    assert client.get(_url(tenant_a)).status_code == 302
    client.force_login(tenant_a.manager)
    assert client.post(_url(tenant_a)).status_code == 405
    assert client.post(_url(tenant_a, "doses")).status_code == 405


def test_the_product_and_date_filters_narrow_the_figures(client, tenant_a, doses):
    other = receive(tenant_a, "BB2", product=VaccineProductFactory(key="moderna", display_name="Moderna", cvx="207"))
    give(tenant_a, other, local(TODAY - DAY))
    client.force_login(tenant_a.manager)
    start = (TODAY - 2 * DAY).strftime("%m/%d/%Y")
    response = client.get(_url(tenant_a, start=start, product=other.product.pk))
    doses_table = response.context["tables"][0]
    assert doses_table.columns == ["Day", "Moderna"]
    assert doses_table.rows == [[doses_table.rows[0][0], 1]]


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"start": "13/45/2026"}, "start", "Enter a valid date."),
    ({"start": TODAY.strftime("%m/%d/%Y"), "end": (TODAY - DAY).strftime("%m/%d/%Y")}, "end",
     "The end date is before the start date."),
    ({"start": (TODAY - 400 * DAY).strftime("%m/%d/%Y")}, "start", "Choose at most 366 days."),
    ({"product": "999999"}, "product", "Select a valid choice."),
    ({"end": "12/31/9999"}, "end", "Enter a date from 01/01/1900 to 12/31/2099."),
])
def test_bad_filters_are_named_never_a_500(client, tenant_a, query, field, message):
    client.force_login(tenant_a.manager)
    for response in (client.get(_url(tenant_a, **query)), client.get(_url(tenant_a, "doses", **query))):
        assert response.status_code == 400
        assert any(message in error for error in response.context["form"].errors[field])
        assert response.context["tables"] == []


def test_a_product_of_another_location_is_not_offered_or_accepted(client, tenant_a, tenant_b):
    lot_b = receive(tenant_b, "ZZ9", product=VaccineProductFactory(key="novavax", display_name="Novavax", cvx="211"))
    client.force_login(tenant_a.manager)
    response = client.get(_url(tenant_a, product=lot_b.product.pk))
    assert response.status_code == 400 and "product" in response.context["form"].errors


def test_each_csv_holds_its_table_with_formula_safe_cells(client, tenant_a):
    hostile = VaccineProductFactory(key="hostile", display_name="=HYPERLINK(\"x\")", cvx="212")
    give(tenant_a, receive(tenant_a, "HH1", product=hostile), local(TODAY - DAY))
    client.force_login(tenant_a.coordinator)
    response = client.get(_url(tenant_a, "doses"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows == [["Day", "'=HYPERLINK(\"x\")"], [(TODAY - DAY).strftime("%m/%d/%Y"), "1"]]
    for figure in FIGURE_KEYS:
        assert client.get(_url(tenant_a, figure)).status_code == 200


def test_an_unknown_figure_is_404(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(_url(tenant_a, "nothing")).status_code == 404


# --- An organization's dashboard: the same figures across its locations, for its administrators.

def _org_url(tenant, figure=None, **query):
    organization = tenant.organization.pk
    url = (reverse("provider_portal:organization_dashboard_csv", args=[organization, figure]) if figure
           else reverse("provider_portal:organization_dashboard", args=[organization]))
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def test_an_organization_administrator_sees_the_figures_of_every_location_together(client, tenant_a, tenant_b,
                                                                                   doses):
    receive(tenant_b, "BB1", doses=99)
    client.force_login(tenant_a.org_admin)
    home = client.get(reverse("provider_portal:home"))
    assert home.status_code == 200 and _org_url(tenant_a) in home.content.decode()
    response = client.get(_org_url(tenant_a))
    assert response.status_code == 200
    supply = {table.key: table for table in response.context["tables"]}["supply"]
    assert supply.rows == [[doses[0].lot.product.display_name, 57, 0.1, 570.0]]  # 47 here and 10 at the second
    csv_rows = _csv(client.get(_org_url(tenant_a, "supply")))
    assert csv_rows[1] == [doses[0].lot.product.display_name, "57", "0.1", "570.0"]


@pytest.mark.parametrize("role", ["manager", "coordinator", "vaccinator", "employer_coordinator"])
def test_only_organization_administrators_open_the_organization_dashboard(client, tenant_a, role):
    client.force_login(getattr(tenant_a, role))
    assert client.get(_org_url(tenant_a)).status_code == 403
    assert client.get(_org_url(tenant_a, "doses")).status_code == 403


def test_an_administrator_of_another_organization_gets_404(client, tenant_a, tenant_b):
    client.force_login(tenant_b.org_admin)
    assert client.get(_org_url(tenant_a)).status_code == 404
    assert client.get(_org_url(tenant_a, "registration")).status_code == 404


def test_the_organization_dashboard_names_a_bad_date(client, tenant_a):
    client.force_login(tenant_a.org_admin)
    for response in (client.get(_org_url(tenant_a, end="02/30/2026")),
                     client.get(_org_url(tenant_a, "doses", end="02/30/2026"))):
        assert response.status_code == 400 and "end" in response.context["form"].errors
