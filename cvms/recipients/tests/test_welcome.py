import datetime
import re
import smtplib

import pytest
from celery.app.task import Task
from django.core import mail, signing
from django.core.mail.backends import locmem
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.models import Role, User
from cvms.recipients import choices as c
from cvms.recipients.bulk import NewRecipient, recipients_bulk_create
from cvms.recipients.models import Recipient
from cvms.recipients.tasks import requeue_welcome_emails
from cvms.recipients.welcome import welcome_emails_send, welcome_token


@pytest.fixture
def loaded(tenant_a, django_capture_on_commit_callbacks):
    def load(*people, **kwargs):
        with django_capture_on_commit_callbacks(execute=False):
            created = recipients_bulk_create(people=list(people), source=c.RecipientSource.BULK_UPLOAD,
                                             created_by=tenant_a.manager, source_location=tenant_a.location, **kwargs)
        return created.ids
    return load


def _link(message):
    return re.search(r"https?://\S+/recipient/welcome/\S+/", message.body).group(0)


def test_welcome_email_follows_the_guide(loaded, mailoutbox, settings):
    settings.CVMS_JURISDICTION_NAME = "Vermont"
    [pk] = loaded(NewRecipient("Nichelle", "Testing", datetime.date(1980, 1, 1), "nichelle.testing@example.com"))
    assert welcome_emails_send(recipient_ids=[pk]) == 1
    [message] = mailoutbox
    assert message.subject == "Welcome to the Vermont COVID-19 Vaccine Portal"
    assert "Dear Nichelle Testing," in message.body
    assert "Username: nichelle.testing@example.com.covid19vaccine" in message.body
    assert "/recipient/" in message.body and "/helpdesk/" in message.body
    assert settings.CVMS_RECIPIENT_HELP_PHONE in message.body
    assert _link(message) in message.alternatives[0][0]
    recipient = Recipient.objects.get(pk=pk)
    assert recipient.welcome_email_status == c.WelcomeEmailStatus.SENT and recipient.welcome_email_sent_at


def test_welcome_email_is_in_the_recipients_language(loaded, mailoutbox, tenant_a):
    [pk] = loaded(NewRecipient("Rosa", "Diaz", datetime.date(1980, 1, 1), "rosa@example.com"))
    Recipient.objects.filter(pk=pk).update(preferred_language="es")
    welcome_emails_send(recipient_ids=[pk])
    assert mailoutbox[0].subject.startswith("Bienvenid")


def test_sending_twice_sends_once(loaded, mailoutbox):
    ids = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "ana@example.com"))
    welcome_emails_send(recipient_ids=ids)
    welcome_emails_send(recipient_ids=ids)
    assert len(mailoutbox) == 1


def test_shared_email_gets_numbered_usernames(loaded, mailoutbox):
    ids = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "family@example.com"),
                 NewRecipient("Luis", "Lopez", datetime.date(1982, 1, 1), "family@example.com"))
    welcome_emails_send(recipient_ids=ids)
    names = sorted(Recipient.objects.filter(pk__in=ids).values_list("portal_username", flat=True))
    assert names == ["family@example.com.covid19vaccine", "family@example.com.covid19vaccine2"]
    more = loaded(NewRecipient("Eva", "Lopez", datetime.date(1984, 1, 1), "family@example.com"))
    welcome_emails_send(recipient_ids=more)
    assert Recipient.objects.get(pk=more[0]).portal_username == "family@example.com.covid19vaccine3"


def test_recipient_without_email_gets_no_welcome(loaded, mailoutbox):
    ids = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), ""))
    assert Recipient.objects.get(pk=ids[0]).welcome_email_status == c.WelcomeEmailStatus.NOT_SENT
    assert welcome_emails_send(recipient_ids=ids) == 0


def test_link_sets_the_password_once_and_signs_in(client, loaded, mailoutbox):
    ids = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "ana@example.com"))
    welcome_emails_send(recipient_ids=ids)
    path = _link(mailoutbox[0]).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "ana@example.com.covid19vaccine" in page.content.decode()
    response = client.post("/" + path, {"password1": "a-strong-pass-2021", "password2": "a-strong-pass-2021"})
    assert response.status_code == 302 and response.url == reverse("recipient_portal:registration")
    user = User.objects.get(username="ana@example.com.covid19vaccine")
    assert user.memberships.get().role == Role.RECIPIENT
    assert client.get(reverse("recipient_portal:home")).status_code == 200
    client.logout()
    assert client.get("/" + path).status_code == 400  # used
    assert client.post(reverse("account_login"), {"login": user.username, "password": "a-strong-pass-2021"}).url \
        == reverse("recipient_portal:home")


def test_link_rejects_a_weak_or_mismatched_password_with_the_field_named(client, loaded):
    [pk] = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "ana@example.com"))
    welcome_emails_send(recipient_ids=[pk])
    url = reverse("recipient_portal:welcome", args=[welcome_token(Recipient.objects.get(pk=pk))])
    body = client.post(url, {"password1": "short", "password2": "short"}).content.decode()
    assert "New password: This password is too short" in body
    body = client.post(url, {"password1": "a-strong-pass-2021", "password2": "other-pass-2021"}).content.decode()
    assert "New password (again): The two passwords do not match." in body


def test_expired_link_offers_a_new_one(client, loaded, mailoutbox, settings, django_capture_on_commit_callbacks):
    [pk] = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "ana@example.com"))
    welcome_emails_send(recipient_ids=[pk])
    recipient = Recipient.objects.get(pk=pk)
    settings.CVMS_WELCOME_LINK_DAYS = -1
    response = client.get(reverse("recipient_portal:welcome", args=[welcome_token(recipient)]))
    assert response.status_code == 410 and "This link has expired" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("recipient_portal:welcome_resend"), {"username": recipient.portal_username})
    assert Recipient.objects.get(pk=pk).welcome_email_status == c.WelcomeEmailStatus.PENDING


def test_forged_link_is_refused(client, db):
    forged = signing.dumps({"r": 1, "u": "x"}, salt="another-salt")
    assert client.get(reverse("recipient_portal:welcome", args=[forged])).status_code == 400


def test_someone_signed_in_cannot_claim_the_account(client, loaded, tenant_b):
    [pk] = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "ana@example.com"))
    welcome_emails_send(recipient_ids=[pk])
    client.force_login(tenant_b.manager)
    url = reverse("recipient_portal:welcome", args=[welcome_token(Recipient.objects.get(pk=pk))])
    assert client.get(url).status_code == 403


def test_family_sharing_one_email_each_set_a_password_and_sign_in(client, loaded, mailoutbox):
    ids = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "family@example.com"),
                 NewRecipient("Luis", "Lopez", datetime.date(1982, 1, 1), "family@example.com"))
    welcome_emails_send(recipient_ids=ids)
    for recipient in Recipient.objects.filter(pk__in=ids).order_by("pk"):
        client.logout()
        url = reverse("recipient_portal:welcome", args=[welcome_token(recipient)])
        response = client.post(url, {"password1": "a-strong-pass-2021", "password2": "a-strong-pass-2021"})
        assert response.status_code == 302, recipient.portal_username
        client.logout()
        response = client.post(reverse("account_login"), {"login": recipient.portal_username,
                                                          "password": "a-strong-pass-2021"})
        assert response.status_code == 302 and response.url == reverse("recipient_portal:home")
    assert User.objects.filter(email="family@example.com").count() == 2


class DropAfterOneMessage(locmem.EmailBackend):
    """An SMTP server that takes one message and then drops the connection."""

    def send_messages(self, messages):
        if len(mail.outbox) >= 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_connection_dropped_mid_batch_keeps_the_sent_and_releases_the_rest(loaded, mailoutbox, settings):
    ids = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "ana@example.com"),
                 NewRecipient("Luis", "Lopez", datetime.date(1982, 1, 1), "luis@example.com"))
    settings.EMAIL_BACKEND = f"{__name__}.DropAfterOneMessage"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        welcome_emails_send(recipient_ids=ids)
    statuses = sorted(Recipient.objects.filter(pk__in=ids).values_list("welcome_email_status", flat=True))
    assert statuses == [c.WelcomeEmailStatus.PENDING, c.WelcomeEmailStatus.SENT]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert welcome_emails_send(recipient_ids=ids) == 1  # the retry sends only the one not sent
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "luis@example.com"]


def test_an_email_another_sender_has_taken_is_not_sent_again(loaded, mailoutbox):
    ids = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "ana@example.com"))
    Recipient.objects.filter(pk__in=ids).update(welcome_email_status=c.WelcomeEmailStatus.SENDING,
                                                welcome_email_claimed_at=timezone.now())
    assert welcome_emails_send(recipient_ids=ids) == 0 and mailoutbox == []


def test_stuck_and_lost_emails_are_queued_again(loaded, mailoutbox, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(Task, "apply_async",  # on the class: an instance attribute would outlive the test
                        lambda task, args=None, kwargs=None, **options: task.apply(args, kwargs, throw=True))
    stuck, lost, fresh, recent = loaded(
        NewRecipient("Ana", "Uno", datetime.date(1980, 1, 1), "a@example.com"),
        NewRecipient("Ana", "Dos", datetime.date(1980, 1, 1), "b@example.com"),
        NewRecipient("Ana", "Tres", datetime.date(1980, 1, 1), "c@example.com"),
        NewRecipient("Ana", "Cuatro", datetime.date(1980, 1, 1), "d@example.com"),
    )
    long_ago = timezone.now() - datetime.timedelta(hours=7)
    Recipient.objects.filter(pk=stuck).update(welcome_email_status=c.WelcomeEmailStatus.SENDING,
                                              welcome_email_claimed_at=long_ago)
    Recipient.objects.filter(pk=lost).update(created_at=long_ago)
    Recipient.objects.filter(pk=recent).update(welcome_email_status=c.WelcomeEmailStatus.SENDING,
                                               welcome_email_claimed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        queued = requeue_welcome_emails.run()
    assert queued == 2
    sent_to = {m.to[0] for m in mailoutbox}
    assert sent_to == {"a@example.com", "b@example.com"}  # the fresh one waits for its own task
    assert Recipient.objects.get(pk=fresh).welcome_email_status == c.WelcomeEmailStatus.PENDING
    assert Recipient.objects.get(pk=recent).welcome_email_status == c.WelcomeEmailStatus.SENDING
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_welcome_emails.run() == 0  # nothing is queued twice


def test_each_message_carries_its_own_recipient_escaped_in_html(loaded, mailoutbox):
    ids = loaded(NewRecipient("D'Andre", "O'Brien", datetime.date(1980, 1, 1), "dandre@example.com"),
                 NewRecipient("Ana", "Lopez", datetime.date(1982, 1, 1), "ana@example.com"))
    Recipient.objects.filter(pk=ids[1]).update(preferred_language="es")
    assert welcome_emails_send(recipient_ids=ids) == 2
    ana, dandre = sorted(mailoutbox, key=lambda m: m.to[0])
    assert "Dear D'Andre O'Brien," in dandre.body
    assert "D&#x27;Andre O&#x27;Brien" in dandre.alternatives[0][0]
    assert "Username: dandre@example.com.covid19vaccine" in dandre.body
    assert ana.subject.startswith("Bienvenid") and "ana@example.com.covid19vaccine" in ana.body
    assert _link(dandre) != _link(ana)
    assert "\ue000" not in dandre.body + dandre.alternatives[0][0] + ana.body


class RefusingServer(locmem.EmailBackend):
    """A server that refuses gone@ for good (550) and busy@ for now (450)."""

    def send_messages(self, messages):
        for message in messages:
            mailbox = message.to[0].split("@")[0]
            if mailbox == "gone":
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"5.1.1 No such user")})
            if mailbox == "busy":
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (450, b"4.2.1 Try again later")})
        return super().send_messages(messages)


def test_one_bad_recipient_never_holds_back_the_batch(loaded, mailoutbox, settings, client, tenant_a, agent):
    # Stored before addresses were checked as the mail layer uses them; the batch is shared out
    # over two connections, so each bad one sits in a lane with good ones.
    ids = loaded(NewRecipient("Ana", "Lopez", datetime.date(1980, 1, 1), "ana@example.com"),
                 NewRecipient("Rita", "Rtl", datetime.date(1981, 1, 1), "rita@example.com\u202e"),
                 NewRecipient("Gus", "Gone", datetime.date(1982, 1, 1), "gone@example.com"),
                 NewRecipient("Luis", "Lopez", datetime.date(1983, 1, 1), "luis@example.com"))
    settings.EMAIL_BACKEND = f"{__name__}.RefusingServer"
    assert welcome_emails_send(recipient_ids=ids) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "luis@example.com"]
    by_name = {r.first_name: r for r in Recipient.objects.filter(pk__in=ids)}
    assert {name: r.welcome_email_status for name, r in by_name.items()} == {
        "Ana": "sent", "Luis": "sent", "Rita": "failed", "Gus": "failed"}
    assert by_name["Rita"].welcome_email_failure_text == "The address cannot be used for email: rita@example.com\u202e"
    assert by_name["Gus"].welcome_email_failure_text == "The mail server refused it: 550 5.1.1 No such user"

    client.force_login(tenant_a.manager)
    page = client.get(reverse("provider_portal:bulk", args=[tenant_a.location.pk])).content.decode()
    assert "The mail server refused it: 550 5.1.1 No such user" in page
    client.force_login(agent)
    admin_page = client.get(reverse("admin:recipients_recipient_change", args=[by_name["Gus"].pk]))
    assert "The mail server refused it: 550 5.1.1 No such user" in admin_page.content.decode()


def test_a_refusal_for_now_is_retried_not_failed(loaded, mailoutbox, settings):
    ids = loaded(NewRecipient("Bea", "Busy", datetime.date(1980, 1, 1), "busy@example.com"),
                 NewRecipient("Ana", "Lopez", datetime.date(1981, 1, 1), "ana@example.com"))
    settings.EMAIL_BACKEND = f"{__name__}.RefusingServer"
    settings.CVMS_WELCOME_SMTP_CONNECTIONS = 1
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        welcome_emails_send(recipient_ids=sorted(ids, reverse=True))
    statuses = dict(Recipient.objects.filter(pk__in=ids).values_list("first_name", "welcome_email_status"))
    assert statuses["Bea"] == "pending"
