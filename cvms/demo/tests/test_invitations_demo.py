"""The demo's health department has invited two employers: one whose contact has not signed up
yet, and one whose coordinator signed up and uploaded its staff."""

from cvms.accounts.models import User
from cvms.demo.seed import seed_demo_everywhere
from cvms.organizations.invitations import departments_of
from cvms.organizations.invited import invited_overview
from cvms.organizations.models import Organization


def test_the_demo_health_department_follows_a_waiting_and_an_active_employer_and_seeding_twice_adds_nothing(
        reference_data):
    seed_demo_everywhere()
    seed_demo_everywhere()
    departments = departments_of(User.objects.get(email="lhd@example.com"))
    overview = invited_overview(Organization.objects.filter(invited_by__in=departments))
    found = {(o.name, o.county, o.invited_status) for o in overview["organizations"]}
    assert found == {("Oak City Bakery", "Wake", "invited"), ("Capital Area Couriers", "Wake", "active")}
