"""Asking for a new welcome link: anyone may ask, without signing in, so each recipient gets at
most one new link per wait (counted in PostgreSQL) and each client address a few requests an hour
(counted in the cache); the answer never tells whether a username is on file; resends are audited."""

import datetime

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog, OutboxMessage
from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory

WELCOME_TASK = "cvms.recipients.tasks.send_welcome_emails"
REDIS_DOWN = {"default": {"BACKEND": "cvms.core.cache.FailSafeRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture
def waiting(tenant_a):
    """A recipient loaded by a clinic whose welcome link has expired unused."""
    return RecipientFactory(portal_username="ana@example.com.covid19vaccine", email="ana@example.com",
                            source_location=tenant_a.location)


@pytest.fixture(autouse=True)
def fresh_address_counts():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def ask(username, ip="203.0.113.7"):
    return Client().post(reverse("recipient_portal:welcome_resend"), {"username": username}, REMOTE_ADDR=ip)


def queued_for(recipient) -> int:
    return OutboxMessage.objects.filter(task=WELCOME_TASK, args=[[recipient.pk]]).count()


def test_thirty_requests_for_one_username_queue_one_new_link(waiting):
    answers = [ask(waiting.portal_username, ip=f"198.51.100.{n}") for n in range(30)]
    assert {a.status_code for a in answers} == {302}
    assert queued_for(waiting) == 1
    [entry] = AuditLog.objects.filter(action="registry.recipient.welcome_resent")
    assert entry.object_id == str(waiting.pk) and entry.changes == {"client_ip": "198.51.100.0"}


def test_a_new_link_may_be_asked_for_again_after_the_wait(waiting, settings):
    ask(waiting.portal_username)
    Recipient.objects.filter(pk=waiting.pk).update(
        welcome_link_requested_at=timezone.now() - datetime.timedelta(minutes=settings.CVMS_WELCOME_RESEND_MINUTES))
    ask(waiting.portal_username, ip="198.51.100.9")
    assert queued_for(waiting) == 2


def test_the_answer_is_the_same_on_file_throttled_or_made_up(waiting):
    first = ask(waiting.portal_username)
    again = ask(waiting.portal_username)
    made_up = ask("nobody@example.com.covid19vaccine")
    assert first.status_code == again.status_code == made_up.status_code == 302
    assert first.url == again.url == made_up.url
    messages = [[str(m) for m in response.wsgi_request._messages] for response in (first, again, made_up)]
    assert messages[0] == messages[1] == messages[2]


@override_settings(CVMS_WELCOME_RESENDS_PER_ADDRESS=10)
def test_one_address_asking_for_many_usernames_is_slowed_down(tenant_a):
    people = [RecipientFactory(portal_username=f"p{n}@example.com.covid19vaccine", source_location=tenant_a.location)
              for n in range(12)]
    answers = [ask(person.portal_username).status_code for person in people]
    assert answers == [302] * 10 + [429] * 2
    assert sum(queued_for(person) for person in people) == 10
    assert ask("nobody@example.com.covid19vaccine").status_code == 429  # on file or not, the same
    assert ask(people[-1].portal_username, ip="198.51.100.1").status_code == 302  # another address


@override_settings(CACHES=REDIS_DOWN)
def test_the_limit_per_recipient_holds_while_redis_is_down(waiting):
    for _ in range(5):
        assert ask(waiting.portal_username).status_code == 302
    assert queued_for(waiting) == 1


def test_no_new_link_for_a_recipient_who_has_set_a_password(tenant_a):
    Recipient.objects.filter(pk=tenant_a.recipient.pk).update(portal_username="rita@example.com.covid19vaccine")
    assert ask("rita@example.com.covid19vaccine").status_code == 302
    assert queued_for(tenant_a.recipient) == 0
    assert not AuditLog.objects.filter(action="registry.recipient.welcome_resent").exists()
