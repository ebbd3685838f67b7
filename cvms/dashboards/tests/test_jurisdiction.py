"""Each figure of a jurisdiction's dashboard against the rows the test builds: doses and the people
who had them, lots and the ledger, employers and their employees. Tenant A's first location is in
Wake County and tenant B's is moved to Durham County, so a county's scope leaves the other out."""

import datetime

import pytest
from django.utils import timezone

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.dashboards import jurisdiction as j
from cvms.dashboards.jurisdiction_figures import PAGE_LOCATION_ROWS, jurisdiction_table, jurisdiction_tables
from cvms.immunizations.models import Immunization
from cvms.immunizations.services.administer import immunization_mark_entered_in_error
from cvms.immunizations.tests.history_fixtures import give, local, receive
from cvms.inventory import choices as ic
from cvms.inventory.services.stock import entry_reverse, lot_receive, lot_waste
from cvms.inventory.services.transfers import transfer_approve, transfer_receive, transfer_request, transfer_ship
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations import choices as oc
from cvms.organizations.models import Location, Organization
from cvms.organizations.tests.factories import LocationFactory, OrganizationFactory
from cvms.recipients.choices import Ethnicity, Race, Sex
from cvms.recipients.tests.factories import RecipientFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
YESTERDAY = TODAY - DAY


@pytest.fixture
def durham(tenant_a, tenant_b):
    """Tenant B's first location, moved to Durham County (tenant A's stays in Wake)."""
    Location.objects.filter(pk__in=[tenant_a.location.pk, tenant_b.location.pk]).update(is_active=True)
    Location.objects.filter(pk=tenant_b.location.pk).update(county="Durham")
    tenant_b.location.refresh_from_db()
    return tenant_b.location


@pytest.fixture
def moderna(db):
    return VaccineProductFactory(key="moderna", display_name="Moderna", cvx="207", min_interval_days=28)


def _scope(*counties, days=7, start=None, end=None, product=None, departments=None):
    end = end or TODAY
    return j.JurisdictionScope(counties=counties or None, start=start or end - (days - 1) * DAY, end=end,
                               product_id=product.pk if product else None, departments=departments)


def _born(years: int, before: datetime.date) -> datetime.date:
    """The day someone turns ``years`` old on ``before``."""
    return before.replace(year=before.year - years) if (before.month, before.day) != (2, 29) \
        else datetime.date(before.year - years, 3, 1)


def _table(tables, key):
    return next(table for table in tables if table.key == key)


# --- Doses: per day and product, and by county

def test_doses_per_day_counts_completed_doses_by_day_and_product(tenant_a, durham, moderna):
    pf, mo = receive(tenant_a, "PF1"), receive(tenant_a, "MO1", product=moderna)
    give(tenant_a, pf, local(YESTERDAY))
    give(tenant_a, pf, local(YESTERDAY, 15))
    give(tenant_a, mo, local(YESTERDAY))
    give(tenant_a, pf, local(TODAY, 0, 5))
    mistaken = give(tenant_a, pf, local(TODAY, 0, 10))
    immunization_mark_entered_in_error(immunization=mistaken, actor=tenant_a.manager, reason="wrong person")
    give(tenant_a, pf, local(TODAY - 20 * DAY))  # before the range
    pfizer = pf.product.display_name
    assert j.dose_breakdown(scope=_scope("Wake")).per_day == [
        (YESTERDAY, "Moderna", 1), (YESTERDAY, pfizer, 2), (TODAY, pfizer, 1)]
    assert j.dose_breakdown(scope=_scope("Wake", product=moderna)).per_day == [(YESTERDAY, "Moderna", 1)]
    table = _table(jurisdiction_tables(scope=_scope("Wake")), "doses")
    assert table.columns == ["Day", "Moderna", pfizer]
    assert [row[1:] for row in table.rows] == [[1, 2], [0, 1]]


def test_a_dose_counts_in_the_county_of_the_location_that_gave_it(tenant_a, tenant_b, durham):
    wake_lot, durham_lot = receive(tenant_a, "WK1"), receive(tenant_b, "DU1")
    # Tenant A's recipient (an employee of a Wake employer) has a dose in Durham: Durham's.
    give(tenant_b, durham_lot, local(YESTERDAY), recipient=tenant_a.recipient)
    give(tenant_a, wake_lot, local(YESTERDAY))
    give(tenant_a, wake_lot, local(TODAY, 0, 30))
    assert j.dose_breakdown(scope=_scope("Wake")).county == {"Wake": 2}
    assert j.dose_breakdown(scope=_scope("Durham")).county == {"Durham": 1}
    assert j.dose_breakdown(scope=_scope()).county == {"Wake": 2, "Durham": 1}
    # A department's county table lists each of its counties, those without doses at nought.
    table = _table(jurisdiction_tables(scope=_scope("Orange", "Wake")), "county")
    assert table.rows == [["Orange", 0], ["Wake", 2]] and table.drill == ["Orange", "Wake"]
    assert sum(row[1] for row in _table(jurisdiction_tables(scope=_scope("Wake")), "doses").rows) == 2


def test_entered_in_error_doses_are_left_out_of_every_breakdown(tenant_a, durham):
    lot = receive(tenant_a, "EE1")
    mistaken = give(tenant_a, lot, local(YESTERDAY), recipient=RecipientFactory(sex=Sex.FEMALE))
    immunization_mark_entered_in_error(immunization=mistaken, actor=tenant_a.manager, reason="wrong lot")
    found = j.dose_breakdown(scope=_scope("Wake"))
    assert found == j.DoseBreakdown([], {}, {}, {}, {}, {})
    assert j.location_figures(scope=_scope("Wake"))[0].administered == 0


# --- The people: age on the day of the dose, sex, race, ethnicity

def test_age_is_the_age_on_the_day_of_each_dose(tenant_a, durham):
    lot = receive(tenant_a, "AG1")
    turning = RecipientFactory(date_of_birth=_born(12, TODAY - 2 * DAY))
    give(tenant_a, lot, local(TODAY - 5 * DAY), recipient=turning, dose_number=1)  # aged 11
    give(tenant_a, lot, local(TODAY, 0, 20), recipient=turning, dose_number=2)  # aged 12
    give(tenant_a, lot, local(YESTERDAY), recipient=RecipientFactory(date_of_birth=_born(75, YESTERDAY)))
    give(tenant_a, lot, local(YESTERDAY), recipient=RecipientFactory(date_of_birth=_born(65, TODAY)))  # 64
    assert j.dose_breakdown(scope=_scope("Wake")).age == {0: 1, 1: 1, 5: 1, 7: 1}
    table = _table(jurisdiction_tables(scope=_scope("Wake")), "age")
    assert table.rows == [["0–11", 1], ["12–15", 1], ["16–17", 0], ["18–24", 0], ["25–49", 0], ["50–64", 1],
                          ["65–74", 0], ["75+", 1]]


def test_sex_and_ethnicity_count_each_dose_under_the_persons_code(tenant_a, durham):
    lot = receive(tenant_a, "SX1")
    for sex, ethnicity in ((Sex.FEMALE, Ethnicity.HISPANIC), (Sex.FEMALE, Ethnicity.NOT_HISPANIC),
                           (Sex.MALE, Ethnicity.NOT_HISPANIC), (Sex.UNKNOWN, Ethnicity.UNKNOWN)):
        give(tenant_a, lot, local(YESTERDAY), recipient=RecipientFactory(sex=sex, ethnicity=ethnicity))
    found = j.dose_breakdown(scope=_scope("Wake"))
    assert found.sex == {"F": 2, "M": 1, "U": 1}
    assert found.ethnicity == {Ethnicity.HISPANIC: 1, Ethnicity.NOT_HISPANIC: 2, Ethnicity.UNKNOWN: 1}
    tables = jurisdiction_tables(scope=_scope("Wake"))
    assert _table(tables, "sex").rows == [["Female", 2], ["Male", 1], ["Unknown or not reported", 1]]
    assert _table(tables, "ethnicity").rows == [["Hispanic or Latino", 1], ["Not Hispanic or Latino", 2],
                                                ["Unknown", 1], ["Prefer not to say", 0]]


def test_a_person_of_two_races_counts_under_each_and_one_of_none_under_unknown(tenant_a, durham):
    lot = receive(tenant_a, "RC1")
    give(tenant_a, lot, local(YESTERDAY), recipient=RecipientFactory(race=[Race.WHITE, Race.ASIAN]))
    give(tenant_a, lot, local(YESTERDAY), recipient=RecipientFactory(race=[Race.WHITE]))
    give(tenant_a, lot, local(YESTERDAY), recipient=RecipientFactory(race=[]))
    assert j.dose_breakdown(scope=_scope("Wake")).race == {Race.WHITE: 2, Race.ASIAN: 1, Race.UNKNOWN: 1}
    rows = dict(_table(jurisdiction_tables(scope=_scope("Wake")), "race").rows)
    assert rows["White"] == 2 and rows["Asian"] == 1 and rows["Unknown"] == 1
    assert sum(rows.values()) == 4  # three doses: the race figure may add up to more


# --- Filters: product, and a range from local midnight to local midnight

def test_the_product_filter_narrows_every_dose_figure_and_the_locations(tenant_a, durham, moderna):
    give(tenant_a, receive(tenant_a, "PF2"), local(YESTERDAY), recipient=RecipientFactory(sex=Sex.MALE))
    give(tenant_a, receive(tenant_a, "MO2", product=moderna, doses=20), local(YESTERDAY),
         recipient=RecipientFactory(sex=Sex.FEMALE))
    found = j.dose_breakdown(scope=_scope("Wake", product=moderna))
    assert found.county == {"Wake": 1} and found.sex == {"F": 1}
    [wake] = j.location_figures(scope=_scope("Wake", product=moderna))
    assert (wake.delivered, wake.administered) == (20, 1)


def test_the_range_runs_from_local_midnight_of_the_first_day_to_local_midnight_after_the_last(tenant_a, durham):
    lot = receive(tenant_a, "RG1")
    first, last = TODAY - 3 * DAY, YESTERDAY
    give(tenant_a, lot, local(first - DAY, 23, 59))  # out
    give(tenant_a, lot, local(first, 0, 0))  # in
    give(tenant_a, lot, local(last, 23, 59))  # in
    give(tenant_a, lot, local(TODAY, 0, 0))  # out
    found = j.dose_breakdown(scope=_scope("Wake", start=first, end=last))
    assert found.per_day == [(first, lot.product.display_name, 1), (last, lot.product.display_name, 1)]
    assert j.location_figures(scope=_scope("Wake", start=first, end=last))[0].administered == 2


# --- Per location: delivered against given, and entry lag

def test_delivered_counts_receipts_and_transfers_in_less_transfers_out(tenant_a, tenant_b, durham, state_reviewer):
    lot = receive(tenant_a, "DL1", doses=50)
    mistaken = receive(tenant_a, "DL2", doses=20)
    entry_reverse(entry=mistaken.ledger.get(kind=ic.LedgerKind.RECEIVE), note="not ours", actor=tenant_a.manager)
    lot_waste(lot=lot, quantity=3, reason=ic.WasteReason.BROKEN, actor=tenant_a.manager)
    transfer = transfer_request(lot=lot, to_location=durham, doses=12, reason="Durham has none",
                                actor=tenant_a.manager)
    transfer_ship(transfer=transfer_approve(transfer=transfer, actor=state_reviewer), actor=tenant_a.manager)
    transfer_receive(transfer=transfer, actor=tenant_b.manager, received_doses=12)
    give(tenant_b, transfer.received_lot, local(TODAY, 0, 1))
    by_name = {f.name: f for f in j.location_figures(scope=_scope())}
    wake, durham_figures = by_name[tenant_a.location.name], by_name[durham.name]
    assert (wake.county, wake.delivered, wake.administered) == ("Wake", 38, 0)
    assert (durham_figures.county, durham_figures.delivered, durham_figures.administered) == ("Durham", 12, 1)
    assert [f.name for f in j.location_figures(scope=_scope("Durham"))] == [durham.name]
    # Nothing delivered before the range: yesterday's scope has no location at all.
    assert j.location_figures(scope=_scope(end=YESTERDAY)) == []
    rows = _table(jurisdiction_tables(scope=_scope()), "delivered").rows
    assert rows == [[tenant_a.location.name, "Wake", 38, 0, 0], [durham.name, "Durham", 12, 1, 8]]


def test_a_location_that_sent_more_than_it_received_in_the_range_shows_no_percent_given(
        tenant_a, tenant_b, durham, state_reviewer, monkeypatch):
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: local(TODAY - 10 * DAY))
        lot = receive(tenant_a, "NG1", doses=30)
    give(tenant_a, lot, local(TODAY, 0, 1))
    transfer = transfer_request(lot=lot, to_location=durham, doses=12, reason="Durham has none",
                                actor=tenant_a.manager)
    transfer_ship(transfer=transfer_approve(transfer=transfer, actor=state_reviewer), actor=tenant_a.manager)
    [wake] = j.location_figures(scope=_scope("Wake"))
    assert (wake.delivered, wake.administered) == (-12, 1)
    assert _table(jurisdiction_tables(scope=_scope("Wake")), "delivered").rows == [
        [tenant_a.location.name, "Wake", -12, 1, "—"]]


def _entered_after(dose, hours):
    Immunization.objects.filter(pk=dose.pk).update(created_at=dose.administered_at + datetime.timedelta(hours=hours))


def test_a_dose_entered_more_than_24_hours_after_it_was_given_is_late(tenant_a, durham):
    lot = receive(tenant_a, "LG1")
    _entered_after(give(tenant_a, lot, local(TODAY - 3 * DAY)), 25)
    _entered_after(give(tenant_a, lot, local(TODAY - 3 * DAY, 11)), 23)
    _entered_after(give(tenant_a, lot, local(TODAY - 2 * DAY)), 0)
    [wake] = j.location_figures(scope=_scope("Wake"))
    assert (wake.administered, wake.late, wake.average_hours) == (3, 1, 16.0)
    assert _table(jurisdiction_tables(scope=_scope("Wake")), "lag").rows == [
        [tenant_a.location.name, "Wake", 3, 1, 33, 16.0]]
    assert j.LATE_ENTRY_HOURS == 24


# --- Employers invited and their employees

@pytest.fixture
def employers(lhd_wake, lhd_durham):
    """Two Wake employers (one the Wake department invited, one nobody did) and a Durham one."""
    wake_department = Organization.objects.get(name="Wake County Health Department")
    durham_department = Organization.objects.get(name="Durham County Health Department")
    invited_at = timezone.make_aware(datetime.datetime(2026, 1, 5, 10))

    def employer(name, county, department, employees, registered):
        org = OrganizationFactory(name=name, county=county, kind=oc.OrganizationKind.EMPLOYER,
                                  invited_by=department, invited_at=department and invited_at)
        for n in range(employees):
            RecipientFactory(employer=org, registered_at=timezone.now() if n < registered else None)
        return org

    return {"wake": wake_department, "durham": durham_department,
            "acme": employer("Acme Foods", "Wake", wake_department, 3, 2),
            "uninvited": employer("Bolt Works", "Wake", None, 4, 4),
            "cedar": employer("Cedar Mills", "Durham", durham_department, 2, 0),
            "state": OrganizationFactory(name="Dogwood Press", county="Durham", kind=oc.OrganizationKind.EMPLOYER,
                                         invited_by=None, invited_at=invited_at)}


def test_a_departments_employers_are_those_it_invited_with_employees_and_registered(employers):
    scope = _scope("Wake", departments=(employers["wake"].pk,))
    [acme] = j.employer_figures(scope=scope)
    assert (acme.name, acme.county, acme.employees, acme.registered) == ("Acme Foods", "Wake", 3, 2)
    # One county: a row per employer, with the day it was invited.
    assert jurisdiction_table(scope=scope, key="employers").rows == [["Acme Foods", "01/05/2026", 3, 2, 67]]
    # The dates chosen do not matter: every employee ever uploaded.
    assert j.employer_figures(scope=_scope("Wake", departments=(employers["wake"].pk,),
                                           end=TODAY - 400 * DAY))[0].employees == 3


def test_several_counties_give_a_row_per_county_and_the_state_every_invited_employer(employers):
    # The state's: every employer invited, by a department or by the state; none nobody invited.
    table = jurisdiction_table(scope=_scope(), key="employers")
    assert table.columns[0] == "County"
    assert table.rows == [["Durham", 2, 2, 0, 0], ["Wake", 1, 3, 2, 67]]
    assert table.drill == ["Durham", "Wake"]
    both = _scope("Wake", "Durham", departments=(employers["wake"].pk, employers["durham"].pk))
    assert jurisdiction_table(scope=both, key="employers").rows == [["Durham", 1, 2, 0, 0], ["Wake", 1, 3, 2, 67]]
    assert [e.name for e in j.employer_figures(scope=_scope("Durham", departments=(employers["wake"].pk,)))] == []


# --- The page's tables

def test_the_page_cuts_per_location_tables_to_25_rows_and_the_csv_keeps_them_all(tenant_a, durham):
    product = VaccineProductFactory()
    for n in range(PAGE_LOCATION_ROWS + 2):
        location = LocationFactory(organization=tenant_a.organization, name=f"Site {n:02d}", county="Wake")
        membership_grant(user=tenant_a.vaccinator, role=Role.VACCINATOR, location=location)
        lot = lot_receive(location=location, product=product, lot_number=f"CUT{n}",
                          expiration_date=TODAY + 60 * DAY, doses=10 + n)
        _entered_after(give(tenant_a, lot, local(YESTERDAY)), 30)
    for key in ("delivered", "lag"):
        page = _table(jurisdiction_tables(scope=_scope("Wake")), key)
        assert len(page.rows) == PAGE_LOCATION_ROWS and page.more == 2, key
        whole = jurisdiction_table(scope=_scope("Wake"), key=key)
        assert len(whole.rows) == PAGE_LOCATION_ROWS + 2 and whole.more == 0, key
        assert whole.rows[:PAGE_LOCATION_ROWS] == page.rows
        assert _table(jurisdiction_tables(scope=_scope("Wake"), page_rows=None), key).rows == whole.rows
    # Dose figures are never cut.
    assert _table(jurisdiction_tables(scope=_scope("Wake")), "age").more == 0


def test_every_figure_of_the_page_comes_from_three_queries_however_many_rows(tenant_a, durham, employers,
                                                                             django_assert_num_queries):
    lot = receive(tenant_a, "QQ1")
    for hour in range(8, 14):
        give(tenant_a, lot, local(YESTERDAY, hour), recipient=RecipientFactory(race=[Race.WHITE, Race.ASIAN]))
    with django_assert_num_queries(3):
        tables = jurisdiction_tables(scope=_scope())
    assert _table(tables, "county").rows == [["Wake", 6]]
