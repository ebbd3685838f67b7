"""The rollups the database keeps for the state's figures: after every kind of change to doses and
to people, the state's figures read from them equal the same figures read from the doses and their
people, and beat's fold and the ops rebuild change nothing but the number of rows."""

import bisect
import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.dashboards import jurisdiction as j
from cvms.dashboards.models import DemographicRollup, DoseRollup
from cvms.dashboards.rollups import rollups_compact
from cvms.immunizations import choices as ic
from cvms.immunizations.models import Immunization
from cvms.immunizations.services.administer import immunization_mark_entered_in_error, immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory

TODAY = timezone.localdate()


@pytest.fixture
def lots(tenant_a, tenant_b):
    pfizer = VaccineProductFactory()
    moderna = VaccineProductFactory(key="moderna", display_name="Moderna", cvx="207", series_doses=2,
                                    min_interval_days=28)
    return [lot_receive(location=location, product=product, lot_number=f"R{location.pk}-{product.pk}",
                        expiration_date=TODAY + datetime.timedelta(days=90), doses=100)
            for location in (tenant_a.location, tenant_b.location) for product in (pfizer, moderna)]


def _give(tenant, lot, recipient, *, days_ago=0, late_hours=0):
    dose = immunization_record(recipient=recipient, lot=lot, dose_number=1, site=ic.Site.LEFT_ARM,
                               given_by=tenant.vaccinator,
                               administered_at=timezone.now() - datetime.timedelta(days=days_ago), confirmed=True)
    if late_hours:
        Immunization.objects.filter(pk=dose.pk).update(
            created_at=dose.administered_at + datetime.timedelta(hours=late_hours))
    return dose


def _scopes(**kwargs):
    start = TODAY - datetime.timedelta(days=kwargs.pop("days", 30) - 1)
    state = j.JurisdictionScope(counties=None, start=start, end=TODAY, **kwargs)
    # Every county named: the same doses, read from the doses and their people.
    every_county = j.JurisdictionScope(counties=tuple(settings.CVMS_COUNTIES), start=start, end=TODAY, **kwargs)
    return state, every_county


def _assert_rollups_true(**kwargs):
    state, every_county = _scopes(**kwargs)
    assert j.dose_breakdown(scope=state) == j.dose_breakdown(scope=every_county)
    live = {}
    begin, end = state.bounds()
    for dose in Immunization.objects.filter(status=ic.ImmunizationStatus.COMPLETED, administered_at__gte=begin,
                                            administered_at__lt=end).select_related("lot"):
        if kwargs.get("product_id") and dose.lot.product_id != kwargs["product_id"]:
            continue
        counts = live.setdefault(dose.location_id, [0, 0])
        counts[0] += 1
        counts[1] += dose.created_at - dose.administered_at > datetime.timedelta(hours=j.LATE_ENTRY_HOURS)
    assert {f.location_id: [f.administered, f.late] for f in j.location_figures(scope=state) if f.administered} == live


@pytest.fixture
def people(db):
    return [RecipientFactory(sex=sex, race=race, ethnicity=ethnicity, date_of_birth=born)
            for sex, race, ethnicity, born in [
                ("F", ["2106-3"], "2186-5", datetime.date(1950, 3, 1)),
                ("M", ["2106-3", "2054-5"], "2135-2", TODAY.replace(year=TODAY.year - 12)),
                ("U", [], "UNK", datetime.date(2000, 1, 1)),
                ("F", ["2028-9"], "POL", datetime.date(1930, 6, 6))]]


def test_the_state_figures_from_the_rollups_equal_those_from_the_doses(tenant_a, tenant_b, lots, people):
    _give(tenant_a, lots[0], people[0], days_ago=2)
    _give(tenant_a, lots[1], people[1], days_ago=2, late_hours=30)
    _give(tenant_b, lots[2], people[2])
    _give(tenant_b, lots[3], people[3], late_hours=20)
    _give(tenant_a, lots[0], people[3], days_ago=40)  # before the range
    found = j.dose_breakdown(scope=_scopes()[0])
    assert sum(found.county.values()) == 4
    assert found.race == {"2106-3": 2, "2054-5": 1, "UNK": 1, "2028-9": 1}
    _assert_rollups_true()
    _assert_rollups_true(product_id=lots[1].product_id)
    _assert_rollups_true(days=60)


def test_the_rollups_follow_corrections_of_doses_and_of_people(tenant_a, tenant_b, lots, people):
    first = _give(tenant_a, lots[0], people[0], days_ago=1)
    moved = _give(tenant_a, lots[1], people[1], days_ago=3)
    gone = _give(tenant_b, lots[2], people[2])
    immunization_mark_entered_in_error(immunization=first, actor=tenant_a.manager, reason="wrong person")
    _assert_rollups_true()
    # A dose moved to another day, lot and location; its entry time corrected.
    Immunization.objects.filter(pk=moved.pk).update(
        administered_at=moved.administered_at - datetime.timedelta(days=1),
        administered_on=moved.administered_on - datetime.timedelta(days=1), lot=lots[3], location=lots[3].location,
        created_at=moved.administered_at + datetime.timedelta(days=3))
    _assert_rollups_true()
    # A person's date of birth, sex, race and ethnicity corrected.
    person = Recipient.objects.get(pk=people[2].pk)
    person.date_of_birth, person.sex, person.race, person.ethnicity = (
        datetime.date(1940, 1, 1), "F", ["1002-5", "2106-3"], "2135-2")
    person.save()
    _assert_rollups_true()
    # Changes that count for nothing add nothing.
    rows = DoseRollup.objects.count(), DemographicRollup.objects.count()
    Immunization.objects.filter(pk=moved.pk).update(notes="checked")
    Recipient.objects.filter(pk=people[2].pk).update(phone="9195550100")
    assert (DoseRollup.objects.count(), DemographicRollup.objects.count()) == rows
    # A dose deleted outright (ops, in SQL).
    with connection.cursor() as cursor:
        for table in ("reporting_registrysubmission", "reporting_reportevent"):
            cursor.execute(f"DELETE FROM {table} WHERE immunization_id = %s", [gone.pk])  # noqa: S608
        cursor.execute("DELETE FROM registry_immunization WHERE id = %s", [gone.pk])
    assert sum(j.dose_breakdown(scope=_scopes()[0]).county.values()) == 1
    _assert_rollups_true()


def test_the_fold_and_the_rebuild_keep_the_sums_in_fewer_rows(tenant_a, lots, people):
    for person in people:
        _give(tenant_a, lots[0], person)
    _give(tenant_a, lots[1], people[0], days_ago=1)
    before = DoseRollup.objects.count(), DemographicRollup.objects.count()
    assert rollups_compact() is True
    _assert_rollups_true()
    after = DoseRollup.objects.count(), DemographicRollup.objects.count()
    assert after[0] < before[0] and after[1] < before[1]
    assert not DoseRollup.objects.filter(fresh=True).exists()
    # Folding again changes nothing; so does a rebuild from every dose.
    rollups_compact()
    assert (DoseRollup.objects.count(), DemographicRollup.objects.count()) == after
    out = io.StringIO()
    call_command("dashboards_rollup_rebuild", stdout=out)
    assert out.getvalue().strip() == "Dashboard rollups rebuilt: 5 doses."
    assert AuditLog.objects.filter(action="dashboards.rollups.rebuilt", changes={"doses": 5}).exists()
    assert (DoseRollup.objects.count(), DemographicRollup.objects.count()) == after
    _assert_rollups_true()


def test_the_databases_age_groups_are_those_the_tables_are_labelled_with(db):
    day = datetime.date(2026, 6, 15)
    with connection.cursor() as cursor:
        for age in (0, 11, 12, 15, 16, 17, 18, 24, 25, 49, 50, 64, 65, 74, 75, 104):
            # Born that day ``age`` years ago, or the next day a year earlier: ``age`` either way.
            for born in (day.replace(year=day.year - age), day.replace(year=day.year - age - 1, day=16)):
                cursor.execute("SELECT dashboards_age_group(%s, %s)", [day, born])
                assert cursor.fetchone()[0] == bisect.bisect_right(j.AGE_BOUNDS, age), (age, born)
