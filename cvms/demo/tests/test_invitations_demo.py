"""The demo's health department has invited an employer whose contact has not signed up yet."""

from cvms.accounts.models import User
from cvms.demo.seed import seed_demo_everywhere
from cvms.organizations.invitations import departments_of
from cvms.organizations.invited import invited_overview
from cvms.organizations.models import Organization


def test_the_demo_health_department_follows_one_invited_employer_and_seeding_twice_adds_nothing(reference_data):
    seed_demo_everywhere()
    seed_demo_everywhere()
    departments = departments_of(User.objects.get(email="lhd@example.com"))
    overview = invited_overview(Organization.objects.filter(invited_by__in=departments))
    [bakery] = overview["organizations"]
    assert (bakery.name, bakery.county, bakery.invited_status) == ("Oak City Bakery", "Wake", "invited")
