"""The demo gives the state's and the Wake County health department's dashboards figures: a month
of doses in both clinics' counties across ages, sexes, races and ethnicities, deliveries, a few
doses entered late, and an invited employer with some of its staff registered."""

import datetime

from django.utils import timezone

from cvms.accounts.models import User
from cvms.dashboards.jurisdiction import JurisdictionScope, dose_breakdown, employer_figures, location_figures
from cvms.demo.seed import seed_demo_everywhere
from cvms.immunizations.models import Immunization
from cvms.organizations.invitations import departments_of
from cvms.organizations.models import served_counties_of
from cvms.recipients.choices import Ethnicity, Sex


def _last_30_days(**scope) -> JurisdictionScope:
    today = timezone.localdate()
    return JurisdictionScope(start=today - datetime.timedelta(days=29), end=today, **scope)


def test_the_demo_state_dashboard_has_doses_of_every_group_in_two_counties_and_a_few_late(reference_data):
    seed_demo_everywhere()
    state = _last_30_days(counties=None)
    found = dose_breakdown(scope=state)
    assert {"Wake", "Durham"} <= {county for county, doses in found.county.items() if doses}
    assert set(found.age) == set(range(8)) and all(found.age.values())
    assert set(found.sex) == set(Sex.values)
    assert set(found.ethnicity) == set(Ethnicity.values) and len(found.race) >= 6
    assert len({day for day, _product, _doses in found.per_day}) >= 20
    locations = location_figures(scope=state)
    assert all(f.delivered > f.administered for f in locations if f.administered)
    late = sum(f.late for f in locations)
    assert 0 < late < sum(f.administered for f in locations) / 4


def test_the_demo_health_departments_dashboard_shows_its_invited_employer_with_staff_registered(reference_data):
    seed_demo_everywhere()
    [department] = departments_of(User.objects.get(email="lhd@example.com"))
    scope = _last_30_days(counties=tuple(served_counties_of(department)), departments=(department.pk,))
    assert sum(dose_breakdown(scope=scope).county.values()) >= 20
    employers = {e.name: (e.employees, e.registered) for e in employer_figures(scope=scope)}
    employees, registered = employers["Capital Area Couriers"]
    assert 0 < registered < employees


def test_seeding_the_demo_again_adds_no_dose(reference_data):
    seed_demo_everywhere()
    doses = Immunization.objects.count()
    seed_demo_everywhere()
    assert Immunization.objects.count() == doses


def test_the_printed_demo_logins_say_where_state_and_health_department_staff_find_their_dashboards(reference_data):
    from io import StringIO

    from django.core.management import call_command
    from django.urls import reverse

    out = StringIO()
    call_command("seed_demo", stdout=out)
    [department] = departments_of(User.objects.get(email="lhd@example.com"))
    lines = out.getvalue().splitlines()
    for email, dashboard in (("state@example.com", reverse("organization_portal:state_dashboard")),
                             ("lhd@example.com", reverse("organization_portal:department_dashboard",
                                                         args=[department.pk]))):
        [at] = [n for n, line in enumerate(lines) if line.split()[:1] == [email]]
        assert lines[at + 1].split() == ["dashboard:", dashboard]
