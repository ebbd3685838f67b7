"""Downtime notices (FAQ 5): state staff schedule them in admin, provider users are emailed in
batches in their language, and every page shows a banner during the notice period and the window."""

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.services import user_language_set
from cvms.core import downtime
from cvms.core.downtime import downtime_emails_send, downtime_notice_change, downtime_notice_create
from cvms.core.models import AuditLog, DowntimeEmail, DowntimeNotice, OutboxMessage

TASK = "cvms.core.tasks.send_downtime_emails"


@pytest.fixture(autouse=True)
def _no_cached_notices():
    cache.clear()
    yield
    cache.clear()


def at(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def schedule(actor, **overrides):
    fields = {"notice_from": at(-1), "starts_at": at(24), "ends_at": at(26),
              "message_en": "Upgrading the database.", "message_es": "Actualizando la base de datos."}
    fields.update(overrides)
    return downtime_notice_create(actor=actor, **fields)


def batches() -> list:
    return [row.args for row in OutboxMessage.objects.filter(task=TASK).order_by("pk")]


def admin_form(**overrides):
    data = {"notice_from_0": "2030-03-01", "notice_from_1": "08:00", "starts_at_0": "2030-03-03",
            "starts_at_1": "22:00", "ends_at_0": "2030-03-04", "ends_at_1": "02:00",
            "message_en": "Quarterly maintenance.", "message_es": "Mantenimiento trimestral."}
    data.update(overrides)
    return data


def test_state_staff_schedule_a_window_in_admin_and_provider_users_are_emailed(
        client, state_reviewer, tenant_a, agent):
    client.force_login(state_reviewer)
    response = client.post(reverse("admin:core_downtimenotice_add"), admin_form())
    assert response.status_code == 302
    notice = DowntimeNotice.objects.get()
    assert AuditLog.objects.filter(action="core.downtime.scheduled", object_id=str(notice.pk),
                                   actor=state_reviewer).exists()
    emailed = set(DowntimeEmail.objects.filter(notice=notice).values_list("user__email", flat=True))
    providers = {tenant_a.manager.email, tenant_a.coordinator.email, tenant_a.vaccinator.email,
                 tenant_a.front_desk.email}
    assert providers <= emailed
    assert not emailed & {tenant_a.recipient_user.email, agent.email, state_reviewer.email,
                          tenant_a.employer_coordinator.email}
    assert sum(len(args[2]) for args in batches()) == len(emailed)


def test_the_emails_go_in_batches_each_in_the_users_language_and_once(tenant_a, state_reviewer, monkeypatch,
                                                                       mailoutbox):
    monkeypatch.setattr(downtime, "EMAIL_BATCH", 2)
    user_language_set(user=tenant_a.vaccinator, language="es")
    notice = schedule(state_reviewer)
    calls = batches()
    assert len(calls) > 1 and all(len(user_ids) <= 2 for _n, _v, user_ids in calls)
    for args in calls:
        downtime_emails_send(notice_id=args[0], times_version=args[1], user_ids=args[2])
    by_address = {message.to[0]: message for message in mailoutbox}
    assert "Actualizando la base de datos." in by_address[tenant_a.vaccinator.email].body
    assert "Upgrading the database." in by_address[tenant_a.manager.email].body
    assert len(mailoutbox) == DowntimeEmail.objects.filter(notice=notice).count()
    assert downtime_emails_send(notice_id=calls[0][0], times_version=calls[0][1], user_ids=calls[0][2]) == 0


def test_new_times_email_again_and_drop_what_was_not_sent_about_the_old_ones(tenant_a, state_reviewer,
                                                                             mailoutbox):
    notice = schedule(state_reviewer)
    [[_id, old_version, user_ids]] = batches()
    downtime_notice_change(notice=notice, actor=state_reviewer, fields={"starts_at": at(30), "ends_at": at(31)})
    assert downtime_emails_send(notice_id=notice.pk, times_version=old_version, user_ids=user_ids) == 0
    [_old, [_id2, new_version, again]] = batches()
    assert new_version == old_version + 1 and set(again) == set(user_ids)
    assert downtime_emails_send(notice_id=notice.pk, times_version=new_version, user_ids=again) == len(again)
    assert AuditLog.objects.filter(action="core.downtime.changed", object_id=str(notice.pk)).exists()


def test_a_new_message_alone_emails_nobody_again(tenant_a, state_reviewer):
    notice = schedule(state_reviewer)
    downtime_notice_change(notice=notice, actor=state_reviewer, fields={"message_en": "Shorter than planned."})
    assert len(batches()) == 1


def test_deleting_a_notice_in_admin_cancels_the_emails_not_sent(client, tenant_a, state_reviewer):
    notice = schedule(state_reviewer)
    [[_id, version, user_ids]] = batches()
    client.force_login(state_reviewer)
    response = client.post(reverse("admin:core_downtimenotice_delete", args=[notice.pk]), {"post": "yes"})
    assert response.status_code == 302 and not DowntimeNotice.objects.exists()
    assert downtime_emails_send(notice_id=notice.pk, times_version=version, user_ids=user_ids) == 0
    assert AuditLog.objects.filter(action="core.downtime.cancelled", object_id=str(notice.pk)).exists()


@pytest.mark.parametrize("overrides,field,message", [
    ({"ends_at_0": "2030-03-03", "ends_at_1": "21:00"}, "ends_at", "The downtime must end after it starts."),
    ({"notice_from_0": "2030-03-05"}, "notice_from", "Show the banner from the start of the downtime or earlier."),
    ({"message_es": ""}, "message_es", "This field is required."),
    ({"message_en": "x" * 501}, "message_en", "at most 500 characters"),
])
def test_bad_times_or_messages_are_refused_naming_the_field(client, state_reviewer, overrides, field, message):
    client.force_login(state_reviewer)
    response = client.post(reverse("admin:core_downtimenotice_add"), admin_form(**overrides))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    assert not DowntimeNotice.objects.exists()


def test_agents_see_notices_but_do_not_schedule_them(client, agent):
    client.force_login(agent)
    assert client.get(reverse("admin:core_downtimenotice_changelist")).status_code == 200
    assert client.get(reverse("admin:core_downtimenotice_add")).status_code == 403


def test_every_page_shows_the_banner_during_the_notice_period_and_the_window(
        client, provider_a, state_reviewer, django_capture_on_commit_callbacks):
    client.force_login(provider_a)
    page = reverse("provider_portal:home")
    assert 'data-testid="downtime-banner"' not in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the cached "no notice" is dropped on commit
        schedule(state_reviewer)
    body = client.get(page).content.decode()
    assert 'data-testid="downtime-banner"' in body and "Upgrading the database." in body
    client.cookies["django_language"] = "es"
    assert "Actualizando la base de datos." in client.get(reverse("home")).content.decode()
    client.force_login(state_reviewer)
    assert 'data-testid="downtime-banner"' in client.get(reverse("admin:index")).content.decode()


def test_the_banner_shows_from_the_notice_period_until_the_window_ends(state_reviewer, db):
    schedule(state_reviewer, notice_from=at(2), starts_at=at(3), ends_at=at(4))
    assert downtime.downtime_banner(language="en") is None  # not yet
    assert downtime.downtime_banner(language="en", now=at(2.5)).under_way is False
    assert downtime.downtime_banner(language="en", now=at(3.5)).under_way is True
    assert downtime.downtime_banner(language="en", now=at(4.5)) is None  # over


def test_the_banner_costs_no_query_once_cached_and_a_change_shows_at_once(state_reviewer, db,
                                                                          django_assert_num_queries,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = schedule(state_reviewer)
    downtime.downtime_banner(language="en")
    with django_assert_num_queries(0):
        assert downtime.downtime_banner(language="en").message == "Upgrading the database."
    with django_capture_on_commit_callbacks(execute=True):
        downtime_notice_change(notice=notice, actor=state_reviewer, fields={"message_en": "Moved to Sunday."})
    assert downtime.downtime_banner(language="en").message == "Moved to Sunday."


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:1/0"}})
def test_pages_still_show_the_banner_when_the_cache_cannot_be_reached(client, provider_a, state_reviewer):
    schedule(state_reviewer)
    client.force_login(provider_a)
    response = client.get(reverse("provider_portal:home"))
    assert response.status_code == 200 and "Upgrading the database." in response.content.decode()
