"""An emailed temporary password: it expires, and signing in with it leads to choosing a permanent
one before anything else, on every way in."""

import base64
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.models import Role, User
from cvms.accounts.services import membership_grant, user_create
from cvms.accounts.temporary import temporary_password_issue
from cvms.core.models import AuditLog

NEW_PASSWORD = "Maple-Harbor-Quilt-42"


@pytest.fixture
def requester(db):
    user = user_create(email="pat@clinic.example.com", first_name="Pat", last_name="Provider", verified=True)
    membership_grant(user=user, role=Role.HELPDESK_REQUESTER)
    return user


@pytest.fixture
def temporary(requester):
    return temporary_password_issue(user=requester, integration="test")


def sign_in(client, user, password):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def basic(user, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{user.email}:{password}".encode()).decode()}


def test_signing_in_with_a_temporary_password_leads_to_choosing_a_permanent_one(client, requester, temporary):
    response = sign_in(client, requester, temporary)
    assert response.status_code == 302
    for page in [reverse("helpdesk:home"), reverse("home"), reverse("admin:index"), reverse("account_email")]:
        assert client.get(page)["Location"] == reverse("password_permanent"), page
    assert client.post(reverse("helpdesk:register"))["Location"] == reverse("password_permanent")


def test_the_permanent_password_replaces_the_temporary_one_and_lands_on_the_help_desk(client, requester, temporary):
    sign_in(client, requester, temporary)
    response = client.post(reverse("password_permanent"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("helpdesk:home")
    requester.refresh_from_db()
    assert requester.password_expires_at is None and requester.check_password(NEW_PASSWORD)
    assert client.get(reverse("helpdesk:home")).status_code == 200  # still signed in
    assert AuditLog.objects.filter(action="accounts.user.password_made_permanent", object_id=str(requester.pk)).exists()
    client.logout()
    assert sign_in(client, requester, temporary).status_code == 200  # the temporary one is gone


def test_the_temporary_password_cannot_be_kept_and_mismatches_are_refused(client, requester, temporary):
    sign_in(client, requester, temporary)
    same = client.post(reverse("password_permanent"), {"password1": temporary, "password2": temporary})
    assert "not the temporary one" in same.content.decode()
    mismatch = client.post(reverse("password_permanent"), {"password1": NEW_PASSWORD, "password2": "other"})
    assert "do not match" in mismatch.content.decode()
    requester.refresh_from_db()
    assert requester.password_expires_at is not None


def test_an_expired_temporary_password_does_not_sign_in(client, requester, temporary):
    User.objects.filter(pk=requester.pk).update(password_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = sign_in(client, requester, temporary)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_api_refuses_a_temporary_password_through_basic_and_the_session(client, requester, temporary):
    assert client.get("/api/v1/me/", **basic(requester, temporary)).status_code == 403
    assert client.post("/api/v1/tokens/", **basic(requester, temporary)).status_code == 403
    sign_in(client, requester, temporary)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403 and "permanent password" in response.json()["detail"]


def test_the_api_answers_once_the_password_is_permanent(client, requester, temporary):
    sign_in(client, requester, temporary)
    client.post(reverse("password_permanent"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert client.get("/api/v1/me/", **basic(requester, NEW_PASSWORD)).status_code == 200


def test_a_password_reset_or_admin_change_also_ends_the_temporary_mark(requester, temporary):
    requester.set_password(NEW_PASSWORD)
    requester.save()
    requester.refresh_from_db()
    assert requester.password_expires_at is None


def test_a_person_with_a_permanent_password_is_sent_home_from_the_page(client, provider_a):
    client.force_login(provider_a)
    assert client.get(reverse("password_permanent")).status_code == 302
    assert client.get(reverse("provider_portal:home")).status_code == 200


def test_the_page_needs_a_sign_in_and_refuses_other_methods(client, requester, temporary):
    assert client.get(reverse("password_permanent"))["Location"].startswith(reverse("account_login"))
    sign_in(client, requester, temporary)
    assert client.put(reverse("password_permanent")).status_code == 405


def test_the_fhir_api_refuses_a_temporary_password_with_an_operation_outcome(client, requester, temporary):
    assert client.get("/fhir/Patient", **basic(requester, temporary)).status_code == 403
    sign_in(client, requester, temporary)
    response = client.get("/fhir/Patient")
    assert response.status_code == 403 and response["Content-Type"] == "application/fhir+json"
    assert "permanent password" in response.json()["issue"][0]["diagnostics"]
