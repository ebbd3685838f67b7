import pytest
from django.db import IntegrityError, transaction

from cvms.accounts.models import Membership, Role
from cvms.accounts.selectors import home_url_for, user_roles
from cvms.accounts.services import membership_grant, membership_revoke, user_create
from cvms.accounts.tests.factories import UserFactory
from cvms.core.models import AuditLog
from cvms.organizations.models import Location
from provider_portal.access import locations_for_user


def test_one_login_works_at_several_locations(tenant_a):
    membership_grant(user=tenant_a.coordinator, role=Role.VACCINE_COORDINATOR, location=tenant_a.other_location)
    assert set(locations_for_user(tenant_a.coordinator)) == {tenant_a.location, tenant_a.other_location}


def test_location_roles_take_the_location_organization(tenant_a):
    membership = Membership.objects.get(user=tenant_a.manager)
    assert membership.organization == tenant_a.organization


def test_database_refuses_a_location_role_without_a_location(tenant_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=tenant_a.manager, role=Role.VACCINATOR, organization=tenant_a.organization)


def test_database_refuses_a_state_role_tied_to_an_organization(tenant_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=tenant_a.manager, role=Role.STATE_STAFF, organization=tenant_a.organization)


def test_only_coordinators_can_be_back_up(tenant_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=tenant_a.manager, role=Role.VACCINATOR, organization=tenant_a.organization,
                                  location=tenant_a.location, is_backup=True)


def test_granting_twice_keeps_one_membership(tenant_a):
    membership_grant(user=tenant_a.manager, role=Role.LOCATION_MANAGER, location=tenant_a.location)
    assert Membership.objects.filter(user=tenant_a.manager).count() == 1


def test_revoked_membership_no_longer_gives_access(tenant_a):
    membership_revoke(membership=Membership.objects.get(user=tenant_a.manager), actor=tenant_a.org_admin)
    assert not locations_for_user(tenant_a.manager).exists()
    assert AuditLog.objects.filter(action="accounts.membership.revoked", actor=tenant_a.org_admin).exists()


def test_staff_roles_get_admin_access_with_view_permissions(agent, state_reviewer):
    assert agent.is_staff and agent.has_perm("core.view_auditlog")
    assert not agent.has_perm("organizations.change_location")
    assert state_reviewer.has_perm("organizations.change_location")


def test_grants_are_audited(tenant_a):
    entry = AuditLog.objects.filter(action="accounts.membership.granted", object_repr__contains="manager.a").get()
    assert entry.changes["role"] == "location_manager"


def test_user_create_normalises_email_and_refuses_username_case_variants(db):
    user = user_create(email="Pat@Example.COM", password="a-long-password-1")
    assert user.email == "pat@example.com" and user.username == "pat@example.com"
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="other@example.com", username="PAT@example.com")


def test_recipients_may_share_an_email_with_their_own_usernames(db):
    first = user_create(email="family@example.com", username="family@example.com.covid19vaccine")
    second = user_create(email="family@example.com", username="family@example.com.covid19vaccine2")
    assert first.email == second.email and first.username != second.username


def test_home_is_the_only_portal_or_the_portal_list(tenant_a, db):
    assert home_url_for(tenant_a.manager) == "/provider/"
    membership_grant(user=tenant_a.manager, role=Role.ORG_ADMIN, organization=tenant_a.organization)
    tenant_a.manager._cvms_roles = None
    assert home_url_for(tenant_a.manager) == "/"
    assert user_roles(tenant_a.manager) == {"location_manager", "org_admin"}


def test_location_queryset_only_counts_active_memberships(tenant_a):
    Membership.objects.filter(user=tenant_a.manager).update(is_active=False)
    assert not Location.objects.for_user(tenant_a.manager).exists()
