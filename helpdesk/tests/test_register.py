import pytest
from django.core.cache import cache
from django.urls import reverse

from cvms.accounts.models import Membership, Role, User
from cvms.core.models import AuditLog, OutboxMessage
from cvms.organizations.tests.factories import LocationFactory
from helpdesk.registration import requester_credentials_send
from helpdesk.registration_models import RequesterRegistration

URL = "/helpdesk/register/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def clinic(db):
    return LocationFactory(provider_pin="NCA650001", name="Oak Clinic")


def form(**overrides):
    data = {"first_name": "Pat", "last_name": "Provider", "email": "pat@clinic.example.com", "code": "NCA650001",
            "accept_terms": "on"}
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def queued(task: str) -> list:
    """The arguments of each ``task`` queued (recorded in the outbox with the work that needs it)."""
    return [row.args for row in OutboxMessage.objects.filter(task=f"helpdesk.tasks.{task}").order_by("pk")]


def test_a_provider_registers_with_a_pin_and_is_emailed_a_user_id_and_temporary_password(
        client, clinic, mailoutbox):
    response = client.post(URL, form())
    assert response.status_code == 302 and response["Location"] == reverse("helpdesk:register_sent")
    user = User.objects.get(username="pat@clinic.example.com")
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("Pat", "Provider", False)
    assert Membership.objects.filter(user=user, role=Role.HELPDESK_REQUESTER, is_active=True).exists()
    registration = RequesterRegistration.objects.get(user=user)
    assert (registration.location, registration.generic_code) == (clinic, False)
    assert AuditLog.objects.filter(action="helpdesk.requester.registered", object_id=str(user.pk)).exists()
    [[user_id]] = queued("send_requester_credentials")

    assert requester_credentials_send(user_id=user_id) == 1
    [message] = mailoutbox
    assert message.to == ["pat@clinic.example.com"] and "pat@clinic.example.com" in message.body
    password = message.body.split("Temporary password:")[1].split()[0]
    user.refresh_from_db()
    assert user.check_password(password) and user.password_expires_at is not None
    assert password not in user.password  # stored hashed
    assert requester_credentials_send(user_id=user_id) == 0  # once per registration


@pytest.mark.parametrize("typed", [" nca650001 ", "NCA 650-001", "ＮＣＡ６５０００１", "650001"])
def test_a_pin_is_read_whatever_its_case_spaces_look_alike_characters_or_missing_prefix(client, clinic, typed):
    assert client.post(URL, form(code=typed)).status_code == 302
    assert RequesterRegistration.objects.get().location == clinic


def test_the_generic_code_registers_a_provider_not_yet_enrolled(client, db, settings):
    settings.CVMS_GENERIC_HELPDESK_CODE = "VAC2021"
    assert client.post(URL, form(code="vac 2021")).status_code == 302
    registration = RequesterRegistration.objects.get()
    assert (registration.location, registration.generic_code) == (None, True)


@pytest.mark.parametrize("code", ["NCA999999", "VAC2020", ""])
def test_a_wrong_code_is_refused_naming_the_field_and_makes_no_account(client, clinic, code):
    response = client.post(URL, form(code=code))
    assert response.status_code == 200
    assert "Registration code" in response.content.decode()
    assert not User.objects.filter(username="pat@clinic.example.com").exists()
    assert not OutboxMessage.objects.filter(task__startswith="helpdesk.").exists()


def test_the_pin_of_an_inactive_location_is_refused(client, db):
    LocationFactory(provider_pin="NCA650002", is_active=False)
    response = client.post(URL, form(code="NCA650002"))
    assert "not a Provider PIN of an enrolled location" in response.content.decode()


def test_wrong_codes_from_one_address_are_paused_by_the_sign_in_lockout(client, clinic, settings):
    settings.CVMS_SIGNIN_FAILURES_PER_LOGIN = 3
    for _ in range(3):
        assert client.post(URL, form(code="NCA000000")).status_code in (200, 429)
    response = client.post(URL, form())  # even the right code waits
    assert response.status_code == 429
    assert not User.objects.filter(username="pat@clinic.example.com").exists()


def test_registrations_are_rate_limited_per_client_address(client, clinic, settings):
    settings.CVMS_HELPDESK_REGISTRATIONS_PER_ADDRESS = 2
    for n in range(2):
        assert client.post(URL, form(email=f"p{n}@clinic.example.com")).status_code == 302
    response = client.post(URL, form(email="p3@clinic.example.com"))
    assert response.status_code == 429 and "Too many registrations" in response.content.decode()
    assert not User.objects.filter(username="p3@clinic.example.com").exists()


def test_someone_with_an_account_gets_the_same_answer_and_an_email_to_sign_in_with_it(
        client, clinic, provider_a, mailoutbox):
    response = client.post(URL, form(email=provider_a.email.upper()))
    assert response.status_code == 302 and response["Location"] == reverse("helpdesk:register_sent")
    assert User.objects.filter(email=provider_a.email).count() == 1
    assert not RequesterRegistration.objects.exists()
    [args] = queued("send_requester_already_registered")
    assert args[0] == provider_a.email and not queued("send_requester_credentials")
    from helpdesk.registration import requester_already_registered_send

    requester_already_registered_send(email=args[0], language=args[1])
    assert "already has a CVMS account" in mailoutbox[0].body


def test_the_terms_must_be_accepted(client, clinic):
    response = client.post(URL, form(accept_terms=None))
    assert "Accept the terms and conditions to register." in response.content.decode()
    assert not User.objects.filter(username="pat@clinic.example.com").exists()


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-address", "Business email"),
    ("first_name", "x" * 101, "First name"),
    ("code", "N" * 21, "Registration code"),
])
def test_bad_input_is_refused_naming_the_field(client, clinic, field, value, message):
    response = client.post(URL, form(**{field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    assert not RequesterRegistration.objects.exists()


def test_the_account_keeps_the_language_registered_in_for_its_emails(client, clinic, mailoutbox):
    client.cookies["django_language"] = "es"
    client.post(URL, form())
    user = User.objects.get(username="pat@clinic.example.com")
    assert user.preferred_language == "es"
    requester_credentials_send(user_id=user.pk)
    assert '<html lang="es">' in mailoutbox[0].alternatives[0][0]


def test_the_form_and_terms_are_public_and_a_signed_in_person_goes_home(client, clinic, provider_a):
    assert client.get(URL).status_code == 200
    assert client.get(reverse("helpdesk:terms")).status_code == 200
    assert client.get(reverse("helpdesk:register_sent")).status_code == 200
    client.force_login(provider_a)
    assert client.get(URL)["Location"] == reverse("helpdesk:home")


def test_wrong_method_is_405(client, db):
    assert client.put(URL).status_code == 405
    assert client.post(reverse("helpdesk:terms")).status_code == 405


def test_a_help_desk_requester_lands_on_the_help_desk_and_may_still_enroll_like_a_newcomer(client, db):
    from cvms.accounts.selectors import home_url_for, portals_for_user
    from cvms.accounts.services import membership_grant, user_create

    user = user_create(email="new.provider@example.com", verified=True)
    membership_grant(user=user, role=Role.HELPDESK_REQUESTER)
    assert home_url_for(user) == reverse("helpdesk:home")
    assert {"helpdesk", "enrollment"} <= {portal.key for portal in portals_for_user(user)}
    client.force_login(user)
    assert client.get(reverse("home")).context["CVMS_HAS_NO_ROLE"] is True
