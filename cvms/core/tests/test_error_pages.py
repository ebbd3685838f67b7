"""Every error page a person can meet is drawn in the site's layout, with the help desk's number."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from cvms.core.views import server_error

PHONE = "(919) 555-0177"


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def in_the_layout(response) -> bool:
    page = response.content.decode()
    return 'class="usa-banner"' in page and "cvms-header" in page and PHONE in page


@override_settings(CVMS_HELPDESK_PHONE=PHONE)
def test_too_many_password_resets_answer_429_in_the_layout(client, provider_a):
    for _ in range(5):
        assert client.post(reverse("account_reset_password"), {"email": provider_a.email}).status_code == 302
    response = client.post(reverse("account_reset_password"), {"email": provider_a.email})
    assert response.status_code == 429
    assert in_the_layout(response) and "Too many requests" in response.content.decode()


@override_settings(CVMS_HELPDESK_PHONE=PHONE)
def test_a_bad_request_answers_400_in_the_layout(db):
    response = Client().get("/", HTTP_HOST="not allowed.example.com")
    assert response.status_code == 400 and in_the_layout(response)


@override_settings(CVMS_HELPDESK_PHONE=PHONE)
def test_a_form_without_its_security_token_answers_403_in_the_layout(db):
    response = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "x", "password": "y"})
    assert response.status_code == 403 and in_the_layout(response)
    assert "reload the page" in response.content.decode()


@override_settings(CVMS_HELPDESK_PHONE=PHONE)
def test_a_server_error_answers_500_in_the_layout(db):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    response = server_error(request)
    assert response.status_code == 500 and in_the_layout(response)


@override_settings(CVMS_HELPDESK_PHONE=PHONE)
def test_a_server_error_still_answers_when_the_layout_cannot_be_drawn(db):
    def unreachable_database():
        raise DatabaseError("the database is down")

    request = RequestFactory().get("/somewhere/")
    request.user = SimpleLazyObject(unreachable_database)
    response = server_error(request)
    assert response.status_code == 500
    assert PHONE in response.content.decode() and "Something went wrong" in response.content.decode()


@override_settings(CVMS_HELPDESK_PHONE=PHONE)
def test_not_found_and_forbidden_pages_use_the_layout(client, outsider):
    assert in_the_layout(client.get("/no-such-page/"))
    client.force_login(outsider)
    forbidden = client.get(reverse("provider_portal:home"))
    assert forbidden.status_code == 403 and in_the_layout(forbidden)
