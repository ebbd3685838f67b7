"""A person's preferred language: applied at every sign-in, on pages reached from their emails,
to a signed-in user without a language cookie; the switcher overrides it and saves the choice."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from cvms.accounts.models import Role, User
from cvms.accounts.services import invitation_link, invitation_send
from cvms.accounts.tests.factories import PASSWORD, UserFactory
from cvms.core.models import AuditLog

COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def lucia(db):
    """A provider who reads Spanish."""
    return UserFactory(email="lucia@example.com", preferred_language="es")


def _spanish(response) -> bool:
    return '<html lang="es"' in response.content.decode()


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_signing_in_switches_the_site_to_the_users_language(client, lucia):
    client.cookies[COOKIE] = "en"  # chosen before signing in
    response = client.post(reverse("account_login"), {"login": lucia.email, "password": PASSWORD})
    assert response.status_code == 302 and response.cookies[COOKIE].value == "es"
    assert _spanish(client.get(reverse("enrollment:home")))


def test_an_english_user_signing_in_from_a_spanish_browser_reads_english(client, db):
    user = UserFactory(email="ed@example.com")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD},
                           HTTP_ACCEPT_LANGUAGE="es")
    assert response.cookies[COOKIE].value == "en"
    assert not _spanish(client.get(reverse("enrollment:home"), HTTP_ACCEPT_LANGUAGE="es"))


def test_signing_in_to_admin_switches_to_the_users_language(client, db):
    staff = UserFactory(email="estela@example.com", preferred_language="es", is_staff=True, is_superuser=True)
    response = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD,
                                                    "next": reverse("admin:index")})
    assert response.status_code == 302 and response.cookies[COOKIE].value == "es"
    index = client.get(reverse("admin:index"))
    assert _spanish(index) and "Administración de CVMS" in index.content.decode()


def test_a_signed_in_user_without_the_cookie_reads_their_language(client, lucia):
    client.force_login(lucia)
    assert COOKIE not in client.cookies
    assert _spanish(client.get(reverse("enrollment:home"), HTTP_ACCEPT_LANGUAGE="en"))


def test_the_switcher_overrides_and_saves_a_signed_in_users_language(client, lucia):
    client.force_login(lucia)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("enrollment:home")})
    assert response.status_code == 302 and response.cookies[COOKIE].value == "en"
    assert not _spanish(client.get(reverse("enrollment:home")))
    assert User.objects.get(pk=lucia.pk).preferred_language == "en"
    entry = AuditLog.objects.get(action="accounts.user.language_changed")
    assert entry.actor == lucia and entry.changes == {"preferred_language": ["es", "en"]}
    # The next sign-in keeps the choice.
    client.logout()
    response = client.post(reverse("account_login"), {"login": lucia.email, "password": PASSWORD})
    assert response.cookies[COOKIE].value == "en"


def test_the_switcher_for_someone_signed_out_sets_only_the_cookie(client, lucia):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.cookies[COOKIE].value == "es" and _spanish(client.get("/"))
    assert not AuditLog.objects.filter(action="accounts.user.language_changed").exists()


def test_the_switcher_refuses_a_language_the_site_does_not_ship(client, lucia):
    client.force_login(lucia)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=lucia.pk).preferred_language == "es"


def test_the_switcher_answers_only_post(client, lucia):
    assert client.get(reverse("set_language")).status_code == 405


def test_password_reset_email_and_its_page_are_in_the_accounts_language(client, lucia, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": lucia.email})  # asked from an English page
    [message] = mailoutbox
    assert "restablecer" in message.subject.lower()
    [link] = re.findall(r"https?://\S+/accounts/password/reset/key/\S+/", message.body)
    response = client.get(_path(link))
    assert response.status_code == 302 and response.cookies[COOKIE].value == "es"
    page = client.get(response.url)
    assert _spanish(page) and "Cambiar la contraseña" in page.content.decode()
    # The switcher still overrides it on the page the link led to.
    client.post(reverse("set_language"), {"language": "en", "next": response.url})
    assert not _spanish(client.get(response.url))
    assert not _spanish(client.get(_path(link), follow=True))  # the same link again keeps the choice


def test_a_bad_password_reset_link_changes_no_language(client, lucia):
    response = client.get(f"/accounts/password/reset/key/{lucia.pk}-not-a-real-key/")
    assert response.status_code == 200 and COOKIE not in response.cookies


def test_signing_up_on_a_spanish_page_keeps_spanish_for_the_email_and_its_link(client, db, mailoutbox):
    client.cookies[COOKIE] = "es"
    client.post(reverse("account_signup"), {"email": "nuevo@example.com", "password1": "a-very-long-pass-42",
                                            "password2": "a-very-long-pass-42"})
    assert User.objects.get(email="nuevo@example.com").preferred_language == "es"
    [message] = mailoutbox
    [link] = re.findall(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
    fresh = client.__class__()  # the email opened in another browser
    page = fresh.get(_path(link))
    assert page.status_code == 200 and _spanish(page) and page.cookies[COOKIE].value == "es"


def test_an_invitation_link_opens_in_the_language_of_the_invited_account(client, tenant_a, lucia,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_send(email="later@example.com", role=Role.VACCINATOR, location=tenant_a.location,
                                     actor=tenant_a.org_admin)
    UserFactory(email="later@example.com", preferred_language="es")  # signed up on their own since
    page = client.get(_path(invitation_link(invitation)))
    assert page.status_code == 200 and _spanish(page) and page.cookies[COOKIE].value == "es"


def test_an_invitation_for_someone_new_keeps_the_browsers_language(client, tenant_a,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_send(email="nueva@example.com", role=Role.VACCINATOR, location=tenant_a.location,
                                     actor=tenant_a.org_admin)
    page = client.get(_path(invitation_link(invitation)), HTTP_ACCEPT_LANGUAGE="es")
    assert _spanish(page) and COOKIE not in page.cookies
    response = client.post(_path(invitation_link(invitation)), {
        "first_name": "Nueva", "last_name": "Persona", "password1": PASSWORD, "password2": PASSWORD,
    }, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302 and response.cookies[COOKIE].value == "es"
    assert User.objects.get(email="nueva@example.com").preferred_language == "es"
    assert _spanish(client.get(response.url))


def test_an_invitation_for_someone_new_opens_in_the_language_the_inviter_gave(client, tenant_a,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_send(email="nuevo@example.com", role=Role.ORG_COORDINATOR,
                                     organization=tenant_a.employer, language="es",
                                     actor=tenant_a.employer_coordinator)
    page = client.get(_path(invitation_link(invitation)))
    assert page.status_code == 200 and _spanish(page) and page.cookies[COOKIE].value == "es"
    response = client.post(_path(invitation_link(invitation)), {
        "first_name": "Nuevo", "last_name": "Persona", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(email="nuevo@example.com").preferred_language == "es"
