"""The dashboards of a health department's counties and of the state, and their CSV downloads, as
each role sees them. Tenant A's first location is in Wake County, tenant B's moved to Durham."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.dashboards.jurisdiction_figures import FIGURE_KEYS
from cvms.immunizations.tests.history_fixtures import give, local, receive
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.models import Location, Organization
from cvms.organizations.tests.factories import LocationFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _state_url(figure=None, **query):
    url = (reverse("organization_portal:state_dashboard_csv", args=[figure]) if figure
           else reverse("organization_portal:state_dashboard"))
    return f"{url}?{urlencode(query)}" if query else url


def _department(user):
    return user.memberships.get().organization


def _department_url(user, figure=None, **query):
    pk = _department(user).pk
    url = (reverse("organization_portal:department_dashboard_csv", args=[pk, figure]) if figure
           else reverse("organization_portal:department_dashboard", args=[pk]))
    return f"{url}?{urlencode(query)}" if query else url


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _tables(response) -> dict:
    return {table.key: table for table in response.context["tables"]}


@pytest.fixture
def doses(tenant_a, tenant_b):
    """Two doses in Wake (tenant A), one in Durham (tenant B), yesterday."""
    Location.objects.filter(pk=tenant_b.location.pk).update(county="Durham")
    wake, durham = receive(tenant_a, "WK1"), receive(tenant_b, "DU1")
    return [give(tenant_a, wake, local(TODAY - DAY)), give(tenant_a, wake, local(TODAY - DAY, 11)),
            give(tenant_b, durham, local(TODAY - DAY))]


# --- The state's dashboard

def test_state_staff_see_every_figure_of_every_county(client, state_reviewer, doses):
    client.force_login(state_reviewer)
    response = client.get(_state_url())
    assert response.status_code == 200
    tables = _tables(response)
    assert list(tables) == list(FIGURE_KEYS)
    assert tables["county"].rows == [["Durham", 1], ["Wake", 2]]
    body = response.content.decode()
    for key in FIGURE_KEYS:
        assert f'data-testid="figure-{key}"' in body
        assert reverse("organization_portal:state_dashboard_csv", args=[key]) in body
    assert "vendor/chartjs/chart.umd.min.js" in body


def test_a_countys_drill_down_link_keeps_the_other_filters(client, state_reviewer, doses):
    product = doses[0].lot.product
    start = (TODAY - 5 * DAY).strftime("%m/%d/%Y")
    Organization.objects.filter(kind=OrganizationKind.EMPLOYER).update(invited_at=timezone.now())
    client.force_login(state_reviewer)
    response = client.get(_state_url(start=start, product=product.pk))
    county = _tables(response)["county"]
    assert county.links == [f"?{urlencode({'start': start, 'product': product.pk, 'county': c})}"
                            for c in ("Durham", "Wake")]
    assert f'href="{county.links[1].replace("&", "&amp;")}"' in response.content.decode()
    # Tenant A's and B's employers are both in Wake: one row per county, drilling down the same way.
    assert _tables(response)["employers"].links == [county.links[1]]
    assert _tables(response)["doses"].csv_url.endswith(f"?{urlencode({'start': start, 'product': product.pk})}")


def test_every_drill_down_link_answers_even_for_a_location_without_a_known_county(client, state_reviewer, tenant_a,
                                                                                 doses):
    """A location's county is typed at enrollment and may be left empty or misspelt: its doses are
    still the state's, under that name, with no link the filters would refuse."""
    for county, lot_number in (("", "NC1"), ("Wak", "NC2")):
        location = LocationFactory(organization=tenant_a.organization, county=county)
        membership_grant(user=tenant_a.vaccinator, role=Role.VACCINATOR, location=location)
        lot = lot_receive(location=location, product=doses[0].lot.product, lot_number=lot_number,
                          expiration_date=TODAY + 60 * DAY, doses=5)
        give(tenant_a, lot, local(TODAY - DAY))
    Organization.objects.filter(kind=OrganizationKind.EMPLOYER).update(invited_at=timezone.now())
    client.force_login(state_reviewer)
    tables = _tables(client.get(_state_url()))
    assert tables["county"].rows == [["—", 1], ["Durham", 1], ["Wak", 1], ["Wake", 2]]
    assert sorted(row[1] for row in tables["delivered"].rows) == ["Durham", "Wak", "Wake", "—"]
    links = [link for key in ("county", "employers") for link in tables[key].links if link]
    assert links == ["?county=Durham", "?county=Wake", "?county=Wake"]
    for link in links:
        assert client.get(_state_url() + link).status_code == 200, link


def test_choosing_a_county_narrows_every_figure_to_it(client, state_reviewer, doses):
    client.force_login(state_reviewer)
    response = client.get(_state_url(county="Wake"))
    assert response.status_code == 200
    tables = _tables(response)
    assert tables["county"].rows == [["Wake", 2]]
    assert [row[1] for row in tables["delivered"].rows] == ["Wake"]
    assert sum(sum(row[1:]) for row in tables["doses"].rows) == 2
    assert 'data-testid="all-counties"' in response.content.decode()


# --- A health department's dashboard

def test_department_staff_see_their_counties_figures_only(client, lhd_wake, doses):
    client.force_login(lhd_wake)
    response = client.get(_department_url(lhd_wake))
    assert response.status_code == 200
    tables = _tables(response)
    assert list(tables) == list(FIGURE_KEYS)
    assert tables["county"].rows == [["Wake", 2]]
    assert "Durham" not in {row[1] for row in tables["delivered"].rows}
    assert _department(lhd_wake).name in response.content.decode()


def test_a_departments_csv_holds_its_counties_rows(client, lhd_wake, doses):
    client.force_login(lhd_wake)
    response = client.get(_department_url(lhd_wake, "county"))
    assert response.status_code == 200
    assert _csv(response) == [["County", "Doses given"], ["Wake", "2"]]


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"start": "13/45/2026"}, "start", "Enter a valid date."),
    ({"start": TODAY.strftime("%m/%d/%Y"), "end": (TODAY - DAY).strftime("%m/%d/%Y")}, "end",
     "The end date is before the start date."),
    ({"start": (TODAY - 400 * DAY).strftime("%m/%d/%Y")}, "start", "Choose at most 366 days."),
    ({"end": "01/05/0001"}, "end", "Enter a date from 01/01/1900 to 12/31/2099."),
    ({"start": "12/01/9999", "end": "12/31/9999"}, "start", "Enter a date from 01/01/1900 to 12/31/2099."),
    ({"county": "Atlantis"}, "county", "Select a valid choice."),
    ({"product": "999999"}, "product", "Select a valid choice."),
])
def test_bad_filters_are_named_never_a_500(client, state_reviewer, lhd_wake, query, field, message):
    for user, url in ((state_reviewer, _state_url), (lhd_wake, lambda *a, **q: _department_url(lhd_wake, *a, **q))):
        client.force_login(user)
        for response in (client.get(url(**query)), client.get(url("doses", **query))):
            assert response.status_code == 400
            assert any(message in error for error in response.context["form"].errors[field])
            assert response.context["tables"] == []


def test_a_county_outside_the_department_is_refused_on_the_page_and_csv(client, lhd_wake, doses):
    client.force_login(lhd_wake)
    for response in (client.get(_department_url(lhd_wake, county="Durham")),
                     client.get(_department_url(lhd_wake, "county", county="Durham"))):
        assert response.status_code == 400
        assert "county" in response.context["form"].errors
        assert response.context["tables"] == []


# --- The CSV downloads

def test_each_csv_is_an_attachment_with_formula_safe_cells(client, tenant_a, state_reviewer):
    hostile = LocationFactory(organization=tenant_a.organization, name='=HYPERLINK("x")', county="Wake")
    lot_receive(location=hostile, product=VaccineProductFactory(), lot_number="HH1",
                expiration_date=TODAY + 60 * DAY, doses=10)
    client.force_login(state_reviewer)
    response = client.get(_state_url("delivered"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert f'delivered-nc-{TODAY - 29 * DAY:%Y-%m-%d}-{TODAY:%Y-%m-%d}.csv' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Location", "County", "Doses delivered", "Doses given", "Percent given"]
    assert ["'=HYPERLINK(\"x\")", "Wake", "10", "0", "0"] in rows[1:]
    for figure in FIGURE_KEYS:
        answer = client.get(_state_url(figure))
        assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv"), figure


def test_each_department_csv_downloads(client, lhd_wake, doses):
    client.force_login(lhd_wake)
    for figure in FIGURE_KEYS:
        response = client.get(_department_url(lhd_wake, figure))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), figure
        assert f"{figure}-department-{_department(lhd_wake).pk}-" in response["Content-Disposition"]


def test_an_unknown_figure_is_404(client, state_reviewer, lhd_wake):
    client.force_login(state_reviewer)
    assert client.get(_state_url("nothing")).status_code == 404
    client.force_login(lhd_wake)
    assert client.get(_department_url(lhd_wake, "nothing")).status_code == 404


# --- Who is let in, and the links to the dashboards

def test_anonymous_people_are_sent_to_sign_in_and_posts_are_refused(client, state_reviewer, lhd_wake):
    assert client.get(_state_url()).status_code == 302
    assert client.get(_department_url(lhd_wake, "doses")).status_code == 302
    client.force_login(state_reviewer)
    assert client.post(_state_url()).status_code == 405
    assert client.post(_state_url("doses")).status_code == 405
    client.force_login(lhd_wake)
    assert client.post(_department_url(lhd_wake)).status_code == 405


def test_department_staff_are_refused_the_state_dashboard(client, lhd_wake):
    client.force_login(lhd_wake)
    assert client.get(_state_url()).status_code == 403
    assert client.get(_state_url("doses")).status_code == 403


def test_the_portal_home_links_each_role_to_its_own_dashboard(client, state_reviewer, lhd_wake, lhd_durham, tenant_a):
    client.force_login(state_reviewer)
    body = client.get(reverse("organization_portal:home")).content.decode()
    assert 'data-testid="state-dashboard-link"' in body and 'data-testid="department-dashboard-link"' not in body
    client.force_login(lhd_wake)
    body = client.get(reverse("organization_portal:home")).content.decode()
    assert 'data-testid="state-dashboard-link"' not in body
    assert f'href="{_department_url(lhd_wake)}"' in body and _department_url(lhd_durham) not in body
    client.force_login(tenant_a.employer_coordinator)
    body = client.get(reverse("organization_portal:home")).content.decode()
    assert "dashboard-link" not in body and "/dashboard/" not in body
