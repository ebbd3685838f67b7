"""The outbox: a task is recorded with the work that needs it, published once that work commits,
and, when it cannot be published (Redis down, the process died), published later by the relay:
oldest first, bounded, each row once even with two relays at once."""

import datetime
import socket
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from conftest import publish_tasks_to
from cvms.celery import app
from cvms.core.models import OutboxMessage
from cvms.core.outbox import outbox_enqueue, outbox_enqueue_many, outbox_publish, outbox_relay
from cvms.core.tasks import heartbeat

TASK = "cvms.core.tasks.heartbeat"


@pytest.fixture
def broker_down(monkeypatch):
    """Publications go to a port where nothing listens, through Celery's real publishing path."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    publish_tasks_to(monkeypatch, f"redis://127.0.0.1:{port}/1")


def _unsent(count: int) -> list[int]:
    rows = OutboxMessage.objects.bulk_create(OutboxMessage(task=TASK, args=[n]) for n in range(count))
    return [row.pk for row in rows]


def test_a_task_is_published_once_its_transaction_commits(db, queued_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox_enqueue(task=heartbeat, args=(7,), kwargs={"why": "test"})
            assert queued_tasks == []  # nothing leaves before the commit
            assert OutboxMessage.objects.get().sent_at is None
    assert queued_tasks == [(TASK, (7,), {"why": "test"})]
    assert OutboxMessage.objects.get().sent_at is not None


def test_a_rolled_back_task_is_neither_kept_nor_published(db, queued_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            outbox_enqueue(task=heartbeat)
            1 / 0  # noqa: B018
    assert queued_tasks == [] and not OutboxMessage.objects.exists()


def test_many_calls_are_one_insert_and_one_publication(db, queued_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox_enqueue_many(task=heartbeat, calls=[((n,), {}) for n in range(3)])
    assert len(callbacks) == 1
    callbacks[0]()
    assert [args for _name, args, _kwargs in queued_tasks] == [(0,), (1,), (2,)]


@pytest.mark.usefixtures("tasks_sent")
def test_with_redis_down_the_task_waits_in_the_outbox_and_the_caller_goes_on_at_once(
        db, broker_down, django_capture_on_commit_callbacks):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(task=heartbeat)
        outbox_enqueue(task=heartbeat)
    assert time.monotonic() - started < 1
    first, second = OutboxMessage.objects.order_by("id")
    assert first.sent_at is None and first.attempts == 1 and "Connection refused" in first.last_error
    # The breaker is open now: the second publication was not even tried.
    assert second.sent_at is None and second.attempts == 0


@pytest.mark.usefixtures("tasks_sent")
def test_a_hung_redis_holds_the_caller_one_timeout_at_most(db, monkeypatch, settings,
                                                          django_capture_on_commit_callbacks):
    settings.REDIS_CONNECT_TIMEOUT = settings.REDIS_READ_TIMEOUT = 0.2
    with socket.socket() as hung:  # takes connections, never answers
        hung.bind(("127.0.0.1", 0))
        hung.listen(64)
        publish_tasks_to(monkeypatch, f"redis://127.0.0.1:{hung.getsockname()[1]}/1")
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            outbox_enqueue(task=heartbeat)
        assert time.monotonic() - started < 1
    assert OutboxMessage.objects.get().sent_at is None


@pytest.mark.usefixtures("tasks_sent")
def test_the_relay_stops_at_the_first_failure(db, broker_down):
    _unsent(3)
    assert outbox_relay() == 0
    assert list(OutboxMessage.objects.order_by("id").values_list("attempts", flat=True)) == [1, 0, 0]


def test_the_relay_publishes_what_was_left_oldest_first_and_bounded(db, queued_tasks):
    ids = _unsent(250)
    assert outbox_relay(limit=120) == 120
    assert [args[0] for _name, args, _kwargs in queued_tasks] == list(range(120))
    assert outbox_relay() == 130
    assert outbox_relay() == 0  # nothing is published twice
    assert len(queued_tasks) == 250
    assert not OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).exists()


def test_publishing_skips_rows_already_sent(db, queued_tasks):
    ids = _unsent(2)
    outbox_relay()
    assert outbox_publish(ids=ids) == 0 and len(queued_tasks) == 2


def test_the_relay_forgets_rows_sent_long_ago_and_keeps_the_unsent(db, queued_tasks, settings):
    settings.CVMS_OUTBOX_KEEP_DAYS = 7
    old, recent, waiting = _unsent(3)
    long_ago = timezone.now() - datetime.timedelta(days=8)
    OutboxMessage.objects.filter(pk=old).update(sent_at=long_ago)
    OutboxMessage.objects.filter(pk=recent).update(sent_at=timezone.now())
    OutboxMessage.objects.filter(pk=waiting).update(created_at=long_ago)
    assert outbox_relay() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent, waiting}


def test_a_task_renamed_since_it_was_recorded_is_still_published(db, queued_tasks, monkeypatch):
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args, kwargs, **options: sent.append((name, args)))
    OutboxMessage.objects.create(task="cvms.gone.tasks.old_name", args=[1])
    assert outbox_relay() == 1 and sent == [("cvms.gone.tasks.old_name", (1,))]


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_publish_each_row_once(queued_tasks):
    _unsent(300)
    barrier = threading.Barrier(2)
    published = []

    def relay():
        try:
            barrier.wait()
            published.append(outbox_relay())
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(published) == 300
    assert sorted(args[0] for _name, args, _kwargs in queued_tasks) == list(range(300))


def test_the_command_relays_and_says_how_many(db, queued_tasks, capsys):
    _unsent(2)
    call_command("relay_outbox")
    assert capsys.readouterr().out == "Published 2 task(s).\n"
