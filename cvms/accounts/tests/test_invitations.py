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
