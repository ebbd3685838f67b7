"""A pause lifts wherever a new password is set, and help desk agents and state staff can see
paused sign-ins in admin and lift one (audited)."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cvms.accounts.lockout import signin_paused_accounts
from cvms.accounts.tests.test_lockout import CLINIC, lock, paused, signed_in, web
from cvms.core.models import AuditLog

NEW = "a-brand-new-password-77"


@pytest.fixture
def superuser(db):
    from cvms.accounts.models import User

    return User.objects.create_superuser(email="root@example.com", password="root-password-for-tests-1")


def test_a_password_set_by_staff_in_admin_lifts_the_pause(client, superuser, provider_a):
    lock(provider_a.email)
    client.force_login(superuser)
    response = client.post(reverse("admin:auth_user_password_change", args=[provider_a.pk]),
                           {"password1": NEW, "password2": NEW, "usable_password": "true"})
    assert response.status_code == 302
    assert signed_in(web(provider_a.email, NEW))


def test_a_password_set_with_the_changepassword_command_lifts_the_pause(provider_a, monkeypatch):
    lock(provider_a.email)
    monkeypatch.setattr("django.contrib.auth.management.commands.changepassword.getpass.getpass", lambda *a, **k: NEW)
    call_command("changepassword", provider_a.username, stdout=io.StringIO())
    assert signed_in(web(provider_a.email, NEW))


def test_registering_from_an_invitation_over_an_unconfirmed_paused_account_lifts_the_pause(
        client, tenant_a, django_capture_on_commit_callbacks):
    from cvms.accounts.models import Role
    from cvms.accounts.services import invitation_link, invitation_send, user_create

    user_create(email="new.coordinator@example.com", password="squatters-own-pass-41", verified=False)
    lock("new.coordinator@example.com")
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_send(email="new.coordinator@example.com", role=Role.VACCINE_COORDINATOR,
                                     location=tenant_a.location)
    path = re.sub(r"^https?://[^/]+", "", invitation_link(invitation))
    response = client.post(path, {"first_name": "Nia", "last_name": "C", "password1": NEW, "password2": NEW})
    assert response.status_code == 302
    client.logout()
    assert signed_in(web("new.coordinator@example.com", NEW))


def test_activating_from_a_welcome_link_is_not_held_by_failures_before_the_account_existed(
        client, tenant_a, django_capture_on_commit_callbacks):
    from cvms.recipients.tests.factories import RecipientFactory
    from cvms.recipients.welcome import welcome_token

    recipient = RecipientFactory(portal_username="ana@example.com.covid19vaccine", email="ana@example.com",
                                 source_location=tenant_a.location)
    lock(recipient.portal_username)
    response = client.post(reverse("recipient_portal:welcome", args=[welcome_token(recipient)]),
                           {"password1": NEW, "password2": NEW})
    assert response.status_code == 302
    assert signed_in(web(recipient.portal_username, NEW))


# --- Paused sign-ins in admin

@pytest.mark.parametrize("staff", ["agent", "state_reviewer"])
def test_help_desk_and_state_staff_see_paused_sign_ins_and_lift_one(request, staff, tenant_a, password):
    person = request.getfixturevalue(staff)
    lock(tenant_a.manager.email)
    lock(tenant_a.vaccinator.email)
    browser = Client()
    browser.force_login(person)
    listing = browser.get(reverse("admin:accounts_pausedsignin_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert tenant_a.manager.email in page and tenant_a.vaccinator.email in page
    assert tenant_a.front_desk.email not in page  # not paused
    response = browser.post(reverse("admin:accounts_pausedsignin_changelist"),
                            {"action": "lift_pauses", "_selected_action": [tenant_a.manager.pk]})
    assert response.status_code == 302
    assert signed_in(web(tenant_a.manager.email, password, ip=CLINIC))
    assert paused(web(tenant_a.vaccinator.email, password))
    entry = AuditLog.objects.get(action="accounts.signin.failures_cleared", object_id=str(tenant_a.manager.pk))
    assert entry.actor == person and entry.changes == {"failures": 5}


def test_the_paused_list_says_how_many_failures_and_until_when(tenant_a, settings):
    lock(tenant_a.manager.email)
    [account] = signin_paused_accounts()
    assert account == tenant_a.manager and account.failures == 5 and account.paused_until is not None


def test_people_without_a_staff_role_cannot_see_or_lift_pauses(client, tenant_a):
    lock(tenant_a.vaccinator.email)
    client.force_login(tenant_a.org_admin)
    url = reverse("admin:accounts_pausedsignin_changelist")
    assert client.get(url).status_code == 302  # to admin's sign-in: not staff
    response = client.post(url, {"action": "lift_pauses", "_selected_action": [tenant_a.vaccinator.pk]})
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert paused(web(tenant_a.vaccinator.email, "correct-horse-battery-9"))
