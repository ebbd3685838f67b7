"""Claiming a record from the phone: names and date of birth, the emailed code, a password, the portal."""

import datetime
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from cvms.recipients import choices as c
from cvms.recipients.claims import claim_code_send
from cvms.recipients.models import RecipientClaim
from cvms.recipients.tests.factories import RecipientFactory

START, CODE, PASSWORD = (reverse(f"recipient_portal:{name}") for name in ("claim", "claim_code", "claim_password"))
FIND = {"first_name": "Rosa", "last_name": "Diaz", "date_of_birth": "03/14/1985"}
NEW_PASSWORD = {"password1": "a-strong-pass-2021", "password2": "a-strong-pass-2021"}


@pytest.fixture
def walk_in(db):
    return RecipientFactory(first_name="Rosa", last_name="Diaz", date_of_birth=datetime.date(1985, 3, 14),
                            email="rosa@example.com", phone="9195550100", source=c.RecipientSource.WALK_IN)


def emailed_code(mailoutbox) -> str:
    claim_code_send(claim_id=RecipientClaim.objects.latest("pk").pk)  # the task's work
    return re.search(r"\b([0-9]{6})\b", mailoutbox[-1].body).group(1)


def test_a_walk_in_claims_their_record_with_the_emailed_code_and_lands_in_the_portal(client, walk_in, mailoutbox):
    response = client.post(START, FIND)
    assert response.status_code == 302 and response.url == CODE
    page = client.get(CODE).content.decode()
    assert "r***@example.com" in page and "Diaz" not in page and "rosa@example.com" not in page
    response = client.post(CODE, {"code": emailed_code(mailoutbox)})
    assert response.status_code == 302 and response.url == PASSWORD
    response = client.post(PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response.url == reverse("recipient_portal:registration")
    assert client.get(response.url).status_code == 200
    walk_in.refresh_from_db()
    assert walk_in.user.username == "rosa@example.com.covid19vaccine"


def test_the_password_step_is_refused_until_the_code_is_proven(client, walk_in):
    client.post(START, FIND)
    response = client.get(PASSWORD)
    assert response.status_code == 302 and response.url == START
    assert client.get(CODE).status_code == 200


def test_a_wrong_code_is_told_beside_the_field(client, walk_in, mailoutbox):
    client.post(START, FIND)
    code = emailed_code(mailoutbox)
    response = client.post(CODE, {"code": "000000" if code != "000000" else "111111"})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()


def test_no_match_says_so_on_the_form(client, walk_in):
    response = client.post(START, {**FIND, "date_of_birth": "01/01/1990"})
    assert response.status_code == 200 and "No record without an account" in response.content.decode()


def test_a_bad_date_of_birth_names_the_field(client, walk_in):
    response = client.post(START, {**FIND, "date_of_birth": "yesterday"})
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()


def test_the_code_page_without_a_claim_starts_over(client):
    response = client.get(CODE)
    assert response.status_code == 302 and response.url == START


@pytest.mark.parametrize("url", [START, CODE, PASSWORD])
def test_claim_pages_refuse_other_methods(client, url):
    assert client.put(url).status_code == 405


@pytest.mark.parametrize("who", ["recipient_user", "manager"])
def test_someone_signed_in_with_a_record_or_a_role_is_sent_home_instead_of_claiming(client, tenant_a, walk_in, who):
    client.force_login(getattr(tenant_a, who))
    response = client.post(START, FIND)
    assert response.status_code == 302 and response.url == reverse("home")
    assert not RecipientClaim.objects.exists()


@override_settings(CVMS_CLAIMS_PER_ADDRESS=2)
def test_many_claims_from_one_address_are_slowed_down(walk_in):
    from django.core.cache import cache

    cache.clear()
    for _ in range(2):
        Client().post(START, {**FIND, "date_of_birth": "01/01/1990"}, REMOTE_ADDR="198.51.100.9")
    response = Client().post(START, FIND, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429 and not RecipientClaim.objects.exists()


@override_settings(CVMS_SIGNIN_FAILURES_PER_LOGIN=2)
def test_too_many_wrong_codes_show_the_sign_in_pause(client, walk_in, mailoutbox):
    client.post(START, FIND)
    emailed_code(mailoutbox)
    statuses = [client.post(CODE, {"code": "99999x"}).status_code for _ in range(4)]
    assert statuses[-1] == 429


def test_the_claim_pages_speak_spanish(client, walk_in):
    page = client.get(START, HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200 and '<html lang="es"' in page.content.decode()
