import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.models import Invitation, Membership, Role
from cvms.accounts.services import invitation_email_send, invitation_for_token, invitation_link, invitation_send
from cvms.accounts.tests.factories import PASSWORD, UserFactory
from cvms.core.models import AuditLog


@pytest.fixture
def invitation(tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return invitation_send(email="New.Coordinator@Example.com", role=Role.VACCINE_COORDINATOR,
                               location=tenant_a.location, first_name="Nia", last_name="Coordinator",
                               actor=tenant_a.org_admin)


def _path(invitation):
    return re.sub(r"^https?://[^/]+", "", invitation_link(invitation))


def test_invitation_email_names_the_role_location_pin_and_link(invitation, mailoutbox, tenant_a):
    invitation_email_send(invitation_id=invitation.pk)
    [message] = mailoutbox
    assert message.to == ["new.coordinator@example.com"]
    assert tenant_a.location.name in message.subject
    assert "Vaccine Coordinator" in message.body and tenant_a.location.provider_pin in message.body
    # The link is signed with the time it was made: compare what it opens, not its text.
    [token] = re.findall(r"/accounts/invitation/([^/\s]+)/", message.body)
    assert invitation_for_token(token) == invitation


def test_registering_from_the_link_gives_the_role_and_lands_in_the_provider_portal(client, invitation, tenant_a):
    response = client.post(_path(invitation), {"first_name": "Nia", "last_name": "Coordinator",
                                               "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("provider_portal:home")
    membership = Membership.objects.get(user__email="new.coordinator@example.com")
    assert (membership.role, membership.location) == (Role.VACCINE_COORDINATOR, tenant_a.location)
    home = client.get(response.url)
    assert tenant_a.location.provider_pin in home.content.decode()
    assert AuditLog.objects.filter(action="accounts.invitation.accepted").exists()
    # The link works once.
    assert client.get(_path(invitation)).status_code == 410


def test_weak_or_mismatched_passwords_are_refused_with_field_messages(client, invitation):
    response = client.post(_path(invitation), {"first_name": "Nia", "last_name": "C", "password1": "abc",
                                               "password2": "abd"})
    assert "Password (again): The two passwords do not match." in response.content.decode()
    response = client.post(_path(invitation), {"first_name": "Nia", "last_name": "C", "password1": "123",
                                               "password2": "123"})
    assert response.status_code == 200 and "Password:" in response.content.decode()
    assert not Membership.objects.filter(user__email="new.coordinator@example.com").exists()


def test_someone_else_signed_in_cannot_take_the_invitation(client, invitation, tenant_b):
    client.force_login(tenant_b.manager)
    assert client.get(_path(invitation)).status_code == 403
    assert client.post(_path(invitation)).status_code == 403
    assert not Invitation.objects.get(pk=invitation.pk).accepted_at


def test_expired_and_replaced_links_say_why(client, invitation, tenant_a, django_capture_on_commit_callbacks):
    old_path = _path(invitation)
    with django_capture_on_commit_callbacks(execute=False):
        renewed = invitation_send(email=invitation.email, role=Role.VACCINE_COORDINATOR, location=tenant_a.location)
    assert renewed.pk == invitation.pk  # sending again renews the same invitation
    response = client.get(old_path)
    assert response.status_code == 410 and "replaced or withdrawn" in response.content.decode()
    Invitation.objects.filter(pk=renewed.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(_path(Invitation.objects.get(pk=renewed.pk)))
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert client.get(reverse("invitation", args=["forged"])).status_code == 410


def test_someone_already_registered_gets_the_role_at_once(tenant_a, django_capture_on_commit_callbacks, mailoutbox):
    existing = UserFactory(email="veteran@example.com")
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_send(email="veteran@example.com", role=Role.VACCINE_COORDINATOR,
                                     location=tenant_a.location, is_backup=True)
    membership = Membership.objects.get(user=existing, location=tenant_a.location)
    assert membership.is_backup and invitation.accepted_at
    invitation_email_send(invitation_id=invitation.pk)
    assert mailoutbox[0].subject.startswith("You have access to")


def test_an_existing_account_is_asked_to_sign_in_first(client, tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_send(email="later@example.com", role=Role.LOCATION_MANAGER,
                                     location=tenant_a.location)
    UserFactory(email="later@example.com")  # registered after the invitation was sent
    response = client.get(_path(invitation))
    assert "An account with this email already exists" in response.content.decode()
    client.login(username="later@example.com", password=PASSWORD)
    assert client.post(_path(invitation)).status_code == 302
    assert Membership.objects.filter(user__email="later@example.com", role=Role.LOCATION_MANAGER).exists()


@pytest.mark.parametrize(("language", "written"), [("en", "The link expires on March 5, 2030."),
                                                    ("es", "5 de marzo de 2030")])
def test_invitation_email_says_the_day_the_link_expires_in_the_readers_language(
        invitation, mailoutbox, language, written):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=datetime.datetime(2030, 3, 5, 15, 0, tzinfo=datetime.UTC))
    UserFactory(email=invitation.email, preferred_language=language)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=None)
    invitation_email_send(invitation_id=invitation.pk)
    body = mailoutbox[0].body
    assert written in body
    assert not re.search(r"\b(weeks?|months?|years?|semanas?|mes(es)?|años?)\b", body)  # not "1 week, 6 days"


# --- An account nobody has proven the address of does not get a role by email alone

SQUATTER_PASSWORD = "squatters-own-pass-41"


@pytest.fixture
def squatter(db):
    """Someone signed up with the coordinator-to-be's address before the state approved the
    enrollment, and never confirmed it (they cannot: the address is not theirs)."""
    from cvms.accounts.services import user_create

    return user_create(email="new.coordinator@example.com", password=SQUATTER_PASSWORD, verified=False)


def test_an_unverified_account_with_the_invited_address_gets_no_role_without_the_link(
        squatter, tenant_a, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_send(email=squatter.email, role=Role.VACCINE_COORDINATOR, location=tenant_a.location)
    assert not Membership.objects.filter(user=squatter).exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    invitation_email_send(invitation_id=invitation.pk)
    assert "/accounts/invitation/" in mailoutbox[0].body  # a link to follow, not "you have access"


def test_following_the_link_takes_over_an_unverified_account_with_the_invited_address(
        client, squatter, invitation, tenant_a):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import authenticate
    from django.test import Client

    squatters_browser = Client()
    squatters_browser.force_login(squatter)
    EmailAddress.objects.create(user=squatter, email="squatter@elsewhere.example.com", verified=False)
    page = client.get(_path(invitation))
    assert page.status_code == 200 and 'name="password1"' in page.content.decode()
    assert "never confirmed" in page.content.decode()
    response = client.post(_path(invitation), {"first_name": "Nia", "last_name": "Coordinator",
                                               "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("provider_portal:home")
    owner = type(squatter).objects.get(pk=squatter.pk)  # the same account, now the invited person's
    assert (owner.first_name, owner.last_name) == ("Nia", "Coordinator")
    assert Membership.objects.get(user=owner).location == tenant_a.location
    assert list(EmailAddress.objects.filter(user=owner).values_list("email", "verified", "primary")) == [
        ("new.coordinator@example.com", True, True)]
    assert authenticate(username=owner.email, password=SQUATTER_PASSWORD) is None
    assert authenticate(username=owner.email, password=PASSWORD) == owner
    assert squatters_browser.get(reverse("provider_portal:home")).status_code == 302  # signed out
    entry = AuditLog.objects.get(action="accounts.user.taken_over_by_invitation")
    assert entry.object_id == str(owner.pk) and entry.changes["invitation"] == invitation.pk


def test_a_verified_account_with_the_invited_address_is_asked_to_sign_in_not_to_register(client, invitation):
    UserFactory(email=invitation.email)
    body = client.get(_path(invitation)).content.decode()
    assert "An account with this email already exists" in body and 'name="password1"' not in body
    response = client.post(_path(invitation), {"first_name": "X", "last_name": "Y", "password1": PASSWORD,
                                               "password2": PASSWORD})
    assert response.status_code == 200 and 'name="password1"' not in response.content.decode()
    assert not Membership.objects.filter(user__email=invitation.email).exists()


def test_a_recipient_invited_to_a_clinic_registers_a_staff_login_with_the_same_address(client, invitation, tenant_a):
    from cvms.accounts.services import membership_grant, user_create

    recipient = user_create(email=invitation.email, username=f"{invitation.email}.covid19vaccine", password=PASSWORD,
                            verified=True)
    membership_grant(user=recipient, role=Role.RECIPIENT)
    staff_password = "staff-pass-for-nia-7"
    response = client.post(_path(invitation), {"first_name": "Nia", "last_name": "Coordinator",
                                               "password1": staff_password, "password2": staff_password})
    assert response.status_code == 302 and response.url == reverse("provider_portal:home")
    client.logout()
    staff_sign_in = client.post(reverse("account_login"), {"login": invitation.email, "password": staff_password})
    assert staff_sign_in.status_code == 302 and staff_sign_in.url == reverse("provider_portal:home")
    client.logout()
    recipient_sign_in = client.post(reverse("account_login"), {"login": recipient.username, "password": PASSWORD})
    assert recipient_sign_in.status_code == 302 and recipient_sign_in.url == reverse("recipient_portal:home")
