"""Registering on your own (FAQ 29): sign up, prove the email, register; while the phase is off,
the page says how to get vaccinated, and a signed-up person with no record never meets a 403."""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from cvms.accounts.tests.factories import UserFactory
from cvms.core.models import AuditLog
from cvms.recipients import choices as c
from cvms.recipients.models import Recipient, RecipientClaim
from cvms.recipients.signup import AlreadyOnFile, SelfRegistrationClosed, recipient_self_register
from cvms.recipients.tests.factories import RecipientFactory

REGISTER = reverse("recipient_portal:register")
HOME = reverse("recipient_portal:home")
ME = {"first_name": "Ana", "last_name": "Lopez", "date_of_birth": "07/04/1990"}
DOB = datetime.date(1990, 7, 4)


@pytest.fixture
def newcomer(db):
    """Signed up and proved their email; no role, no record."""
    return UserFactory(email="ana@example.com")


def test_a_signed_up_person_without_a_record_is_sent_to_register_not_refused(client, newcomer):
    client.force_login(newcomer)
    response = client.get(HOME)
    assert response.status_code == 302 and response.url == REGISTER


def test_while_registration_is_closed_the_page_says_how_to_get_vaccinated(client, newcomer):
    client.force_login(newcomer)
    page = client.get(REGISTER)
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="registration-closed"' in body
    assert reverse("recipient_portal:find") in body and reverse("recipient_portal:claim") in body
    assert client.post(REGISTER, ME).status_code == 200
    assert not Recipient.objects.filter(user=newcomer).exists()


def test_a_visitor_sees_the_closed_page_too(client, db):
    body = client.get(REGISTER).content.decode()
    assert 'data-testid="registration-closed"' in body


@override_settings(CVMS_SELF_REGISTRATION=True)
def test_a_visitor_is_asked_to_create_an_account_first(client, db):
    body = client.get(REGISTER).content.decode()
    assert reverse("account_signup") in body


@override_settings(CVMS_SELF_REGISTRATION=True)
def test_a_signed_up_person_registers_and_lands_in_the_portal(client, newcomer):
    client.force_login(newcomer)
    response = client.post(REGISTER, ME)
    assert response.status_code == 302 and response.url == reverse("recipient_portal:registration")
    recipient = Recipient.objects.get(user=newcomer)
    assert (recipient.first_name, recipient.date_of_birth, recipient.email) == ("Ana", DOB, "ana@example.com")
    assert recipient.source == c.RecipientSource.SELF_REGISTRATION
    assert client.get(HOME).status_code == 200
    assert AuditLog.objects.filter(action="registry.recipient.self_registered", object_id=str(recipient.pk)).exists()


@override_settings(CVMS_SELF_REGISTRATION=True)
def test_a_person_on_file_is_sent_to_claim_their_record_not_linked_to_it(client, newcomer):
    walk_in = RecipientFactory(first_name="ANA", last_name="lopez", date_of_birth=DOB, email="ana.l@example.com",
                               source=c.RecipientSource.WALK_IN)
    client.force_login(newcomer)
    response = client.post(REGISTER, ME)
    assert response.status_code == 302 and response.url == reverse("recipient_portal:claim")
    walk_in.refresh_from_db()
    assert walk_in.user is None and Recipient.objects.count() == 1


@override_settings(CVMS_SELF_REGISTRATION=True)
def test_a_signed_up_person_on_file_claims_the_record_into_their_account(client, newcomer, mailoutbox):
    from cvms.recipients.claims import claim_code_send

    walk_in = RecipientFactory(first_name="Ana", last_name="Lopez", date_of_birth=DOB, email="ana.l@example.com",
                               source=c.RecipientSource.WALK_IN)
    client.force_login(newcomer)
    client.post(REGISTER, ME)
    assert client.post(reverse("recipient_portal:claim"), ME).status_code == 302
    claim_code_send(claim_id=RecipientClaim.objects.get().pk)
    code = re.search(r"\b([0-9]{6})\b", mailoutbox[-1].body).group(1)
    client.post(reverse("recipient_portal:claim_code"), {"code": code})
    response = client.post(reverse("recipient_portal:claim_password"))
    assert response.status_code == 302 and response.url == reverse("recipient_portal:registration")
    walk_in.refresh_from_db()
    assert walk_in.user == newcomer and client.get(HOME).status_code == 200


@override_settings(CVMS_SELF_REGISTRATION=True)
def test_an_unproven_email_cannot_register(newcomer):
    newcomer.emailaddress_set.update(verified=False)
    with pytest.raises(Exception, match="Confirm your email"):
        recipient_self_register(user=newcomer, first_name="Ana", last_name="Lopez", date_of_birth=DOB)


def test_the_service_refuses_while_registration_is_closed(newcomer):
    with pytest.raises(SelfRegistrationClosed):
        recipient_self_register(user=newcomer, first_name="Ana", last_name="Lopez", date_of_birth=DOB)


@override_settings(CVMS_SELF_REGISTRATION=True)
def test_the_service_finds_the_same_person_however_the_names_are_typed(newcomer):
    RecipientFactory(first_name="Ana", last_name="Lopez", date_of_birth=DOB)
    with pytest.raises(AlreadyOnFile):
        recipient_self_register(user=newcomer, first_name="ＡＮＡ", last_name="LOPEZ", date_of_birth=DOB)


@override_settings(CVMS_SELF_REGISTRATION=True)
def test_a_bad_date_of_birth_names_the_field(client, newcomer):
    client.force_login(newcomer)
    response = client.post(REGISTER, {**ME, "date_of_birth": "soon"})
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()


def test_a_recipient_with_a_record_goes_home(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    assert client.get(REGISTER).url == HOME


def test_register_refuses_other_methods(client, db):
    assert client.put(REGISTER).status_code == 405


def test_providers_still_get_403_at_the_recipient_home(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(HOME).status_code == 403


def test_the_register_page_speaks_spanish(client, db):
    assert '<html lang="es"' in client.get(REGISTER, HTTP_ACCEPT_LANGUAGE="es").content.decode()
