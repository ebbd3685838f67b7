"""Changing the email in preferences: the new address is proven by a link sent to it, and until it
is opened nothing changes; then the mail address, the sign-in email and the username follow it, the
old address is told, and the page says what to sign in with. A family member who shares the old
email keeps it and their sign-in. Audited."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from cvms.accounts.models import Role, User
from cvms.accounts.services import membership_grant
from cvms.accounts.tests.factories import PASSWORD, UserFactory
from cvms.core.models import AuditLog, OutboxMessage
from cvms.recipients import email_change
from cvms.recipients.email_change import email_change_token
from cvms.recipients.tests.factories import RecipientFactory
from cvms.recipients.welcome import recipient_account_activate, recipient_username_choose

PREFERENCES = reverse("recipient_portal:preferences")
SUFFIX = ".covid19vaccine"


def run_recipient_tasks() -> None:
    """Run the recipients' queued tasks here, once each, as the worker would."""
    from cvms.celery import app

    while row := OutboxMessage.objects.filter(task__startswith="cvms.recipients.").order_by("pk").first():
        row.delete()
        app.tasks[row.task].run(*row.args, **row.kwargs)


def _loaded(first: str, email: str):
    """A recipient loaded by a provider who set their password from the welcome email."""
    recipient = RecipientFactory(first_name=first, email=email)
    recipient_username_choose(recipient=recipient)
    recipient.refresh_from_db()
    recipient_account_activate(recipient=recipient, password=PASSWORD)
    recipient.refresh_from_db()
    return recipient


@pytest.fixture
def rosa(db):
    mail.outbox.clear()
    return _loaded("Rosa", "diaz.family@example.com")


def _ask(client, recipient, new_email="rosa.diaz@example.com"):
    client.force_login(recipient.user)
    response = client.post(PREFERENCES, {"email": new_email, "phone": "", "contact_preference": "email",
                                         "preferred_language": "en"})
    assert response.status_code == 302
    run_recipient_tasks()
    return re.search(r"https?://[^/\s]+(/recipient/preferences/email/\S+/)", mail.outbox[-1].body).group(1)


def test_a_new_email_changes_nothing_until_the_link_sent_to_it_is_opened(client, rosa):
    _ask(client, rosa)
    (message,) = mail.outbox
    assert message.to == ["rosa.diaz@example.com"]
    rosa.refresh_from_db()
    rosa.user.refresh_from_db()
    assert rosa.email == rosa.user.email == "diaz.family@example.com"
    assert rosa.user.username == f"diaz.family@example.com{SUFFIX}"
    assert AuditLog.objects.filter(action="registry.recipient.email_change_requested",
                                   object_id=str(rosa.pk)).exists()


def test_the_preferences_page_says_what_to_sign_in_with_and_that_a_link_comes(client, rosa):
    client.force_login(rosa.user)
    page = client.get(PREFERENCES).content.decode()
    assert f"diaz.family@example.com{SUFFIX}" in re.search(r'data-testid="sign-in-username">(.*?)</p>', page,
                                                           re.S).group(1)
    response = client.post(PREFERENCES, {"email": "rosa.diaz@example.com", "phone": "", "contact_preference": "email",
                                         "preferred_language": "en"}, follow=True)
    assert "We sent a link to rosa.diaz@example.com" in response.content.decode()


def test_opening_the_link_moves_the_mail_the_sign_in_email_and_the_username(client, rosa):
    link = _ask(client, rosa)
    page = client.get(link)
    assert page.status_code == 200
    assert f"rosa.diaz@example.com{SUFFIX}" in page.content.decode()
    rosa.refresh_from_db()
    assert rosa.email == "diaz.family@example.com"  # a GET (a mail scanner's, say) changes nothing
    response = client.post(link, follow=True)
    assert f"Next time, sign in with rosa.diaz@example.com{SUFFIX}" in response.content.decode()
    rosa.refresh_from_db()
    user = User.objects.get(pk=rosa.user_id)
    assert rosa.email == user.email == "rosa.diaz@example.com"
    assert user.username == rosa.portal_username == f"rosa.diaz@example.com{SUFFIX}"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "primary", "verified")) == [
        ("rosa.diaz@example.com", True, True)]
    entry = AuditLog.objects.filter(action="registry.recipient.email_changed", object_id=str(rosa.pk)).get()
    assert entry.actor == user and entry.changes["username"] == [f"diaz.family@example.com{SUFFIX}",
                                                                 f"rosa.diaz@example.com{SUFFIX}"]


def test_the_old_address_is_told_of_the_change(client, rosa):
    client.post(_ask(client, rosa))
    run_recipient_tasks()
    notice = mail.outbox[-1]
    assert notice.to == ["diaz.family@example.com"]
    assert "rosa.diaz@example.com" in notice.body and "(888) 675-4567" in notice.body


def test_the_person_signs_in_with_the_new_username_and_no_longer_with_the_old(client, rosa):
    client.post(_ask(client, rosa))
    client.logout()
    old = client.post(reverse("account_login"), {"login": f"diaz.family@example.com{SUFFIX}", "password": PASSWORD})
    assert old.status_code == 200  # the form again, with its error
    new = client.post(reverse("account_login"), {"login": f"rosa.diaz@example.com{SUFFIX}", "password": PASSWORD})
    assert new.status_code == 302


def test_a_family_member_who_shares_the_old_email_is_unaffected(client, rosa):
    ana = _loaded("Ana", "diaz.family@example.com")
    assert ana.user.username == f"diaz.family@example.com{SUFFIX}2"
    client.post(_ask(client, rosa))
    ana.refresh_from_db()
    ana_user = User.objects.get(pk=ana.user_id)
    assert ana.email == ana_user.email == "diaz.family@example.com"
    assert ana_user.username == ana.portal_username == f"diaz.family@example.com{SUFFIX}2"
    assert EmailAddress.objects.filter(user=ana_user, email="diaz.family@example.com").exists()
    client.logout()
    signed_in = client.post(reverse("account_login"), {"login": ana_user.username, "password": PASSWORD})
    assert signed_in.status_code == 302


def test_a_username_another_account_holds_is_numbered(client, rosa):
    UserFactory(email="rosa.diaz@example.com", username=f"rosa.diaz@example.com{SUFFIX}")
    client.post(_ask(client, rosa))
    rosa.refresh_from_db()
    assert rosa.user.username == f"rosa.diaz@example.com{SUFFIX}2"


def test_a_username_taken_by_another_account_at_the_same_moment_asks_to_open_the_link_again(client, rosa,
                                                                                            monkeypatch):
    link = _ask(client, rosa)
    UserFactory(email="rosa.diaz@example.com", username=f"rosa.diaz@example.com{SUFFIX}")
    # The other account took the username between the look and the write: the look saw it free.
    monkeypatch.setattr(email_change, "email_change_username", lambda **kw: f"rosa.diaz@example.com{SUFFIX}")
    response = client.post(link)
    assert response.status_code == 400 and "Open the link again" in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.email == "diaz.family@example.com"
    monkeypatch.undo()
    assert client.post(link).status_code == 302
    rosa.refresh_from_db()
    assert rosa.user.username == f"rosa.diaz@example.com{SUFFIX}2"


def test_a_link_used_by_a_twin_request_while_confirming_answers_410_not_an_error(client, rosa, monkeypatch):
    link = _ask(client, rosa)
    real = email_change.email_change_for_token

    def seen_before_the_other_request_wrote(*, token, user):
        found = real(token=token, user=user)
        type(rosa).objects.filter(pk=rosa.pk).update(email="other.twin@example.com")  # the twin wins the lock
        return found
    monkeypatch.setattr(email_change, "email_change_for_token", seen_before_the_other_request_wrote)
    response = client.post(link)
    assert response.status_code == 410 and "used already" in response.content.decode()


def test_someone_who_signed_up_with_their_email_signs_in_with_the_new_email(client, db):
    user = UserFactory(email="pat@example.com", username="pat@example.com")
    membership_grant(user=user, role=Role.RECIPIENT)
    recipient = RecipientFactory(first_name="Pat", email="pat@example.com", user=user,
                                 portal_username="pat@example.com")
    client.post(_ask(client, recipient, new_email="pat.new@example.com"))
    user.refresh_from_db()
    assert (user.username, user.email) == ("pat.new@example.com", "pat.new@example.com")


def test_the_link_works_once(client, rosa):
    link = _ask(client, rosa)
    client.post(link)
    response = client.post(link)
    assert response.status_code == 410 and "used already" in response.content.decode()


def test_an_expired_link_says_so_and_changes_nothing(client, rosa, monkeypatch):
    link = _ask(client, rosa)
    monkeypatch.setattr(email_change, "LINK_DAYS", -1)
    response = client.post(link)
    assert response.status_code == 410 and "expired" in response.content.decode()
    rosa.refresh_from_db()
    assert rosa.email == "diaz.family@example.com"


def test_a_forged_link_is_refused(client, rosa):
    client.force_login(rosa.user)
    response = client.get(reverse("recipient_portal:email_confirm", args=["not-a-real-token"]))
    assert response.status_code == 400 and "not valid" in response.content.decode()


def test_another_recipients_link_is_not_found_and_changes_nothing(client, rosa, tenant_b):
    token = email_change_token(recipient=rosa, new_email="thief@example.com")
    client.force_login(tenant_b.recipient_user)
    assert client.post(reverse("recipient_portal:email_confirm", args=[token])).status_code == 404
    rosa.refresh_from_db()
    assert rosa.email == "diaz.family@example.com"


def test_anonymous_is_sent_to_sign_in_first(client, rosa):
    token = email_change_token(recipient=rosa, new_email="rosa.diaz@example.com")
    response = client.get(reverse("recipient_portal:email_confirm", args=[token]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_same_email_in_another_case_is_no_change(client, rosa):
    client.force_login(rosa.user)
    client.post(PREFERENCES, {"email": "Diaz.Family@example.com", "phone": "", "contact_preference": "email",
                              "preferred_language": "en"})
    run_recipient_tasks()
    assert mail.outbox == []


def test_the_confirmation_link_goes_in_the_recipients_language(client, rosa):
    _ask(client, rosa)
    mail.outbox.clear()
    client.force_login(rosa.user)
    client.post(PREFERENCES, {"email": "rosa.es@example.com", "phone": "", "contact_preference": "email",
                              "preferred_language": "es"})
    run_recipient_tasks()
    assert '<html lang="es">' in mail.outbox[-1].alternatives[0][0]


@pytest.mark.django_db(transaction=True)
def test_the_same_link_opened_twice_at_once_changes_the_email_once():
    import threading

    from django.db import connection

    from cvms.recipients.email_change import EmailChangeLinkGone, recipient_email_change_confirm

    rosa = _loaded("Rosa", "diaz.family@example.com")
    token = email_change_token(recipient=rosa, new_email="rosa.diaz@example.com")
    barrier, outcomes = threading.Barrier(2), []

    def confirm():
        try:
            barrier.wait()
            recipient_email_change_confirm(token=token, user=User.objects.get(pk=rosa.user_id))
            outcomes.append("changed")
        except EmailChangeLinkGone:
            outcomes.append("gone")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["changed", "gone"]
    assert AuditLog.objects.filter(action="registry.recipient.email_changed").count() == 1
    assert OutboxMessage.objects.filter(task="cvms.recipients.tasks.send_email_change_mail").count() == 1


def test_a_username_that_is_the_accounts_email_follows_it_bare(client, tenant_a):
    client.post(_ask(client, tenant_a.recipient, new_email="rita.new@example.com"))
    tenant_a.recipient_user.refresh_from_db()
    assert tenant_a.recipient_user.username == "rita.new@example.com"


def test_a_username_not_made_from_the_email_stays(client, db):
    user = UserFactory(email="lee@example.com", username="lee-2021")
    membership_grant(user=user, role=Role.RECIPIENT)
    recipient = RecipientFactory(first_name="Lee", email="lee@example.com", user=user, portal_username="lee-2021")
    client.post(_ask(client, recipient, new_email="lee.new@example.com"))
    user.refresh_from_db()
    assert (user.username, user.email) == ("lee-2021", "lee.new@example.com")


def test_a_recipient_changes_their_email_only_through_preferences_not_the_account_pages(client, rosa):
    client.force_login(rosa.user)
    for response in (client.get(reverse("account_email")),
                     client.post(reverse("account_email"), {"action_add": "", "email": "sneaky@example.com"})):
        assert response.status_code == 302 and response.url == PREFERENCES
    assert not EmailAddress.objects.filter(email="sneaky@example.com").exists()


def test_people_who_are_not_recipients_keep_the_account_email_page(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(reverse("account_email")).status_code == 200
