"""Durable task queueing: a transactional outbox in PostgreSQL.

``outbox_enqueue`` records a task in the caller's transaction, so the task exists exactly when the
work it follows is committed, whether or not Redis is up. Once the transaction commits, the rows
are published to Celery (short timeouts, no retries) and marked sent. A row left unsent (Redis was
down, or the process died between the commit and the publication) is published by
``outbox_relay``: beat runs it every minute, every worker queues it when it starts or reconnects, and
``manage.py relay_outbox`` runs it by hand. Tasks are safe to run twice, since a publication whose
"sent" mark was lost is published again.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cvms.core.breaker import breaker
from cvms.core.models import OutboxMessage

log = logging.getLogger(__name__)

RELAY_BATCH = 100  # rows locked and published per transaction
RELAY_LIMIT = 10_000  # rows one relay run publishes at most


def outbox_enqueue(*, task, args: Sequence = (), kwargs: dict | None = None) -> None:
    """Queue ``task(*args, **kwargs)`` once the caller's transaction commits (at once outside one)."""
    outbox_enqueue_many(task=task, calls=[(args, kwargs or {})])


def outbox_enqueue_many(*, task, calls: Iterable[tuple[Sequence, dict]]) -> None:
    """Queue one run of ``task`` per ``(args, kwargs)``, in one INSERT and one publication."""
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(task=task.name, args=list(args), kwargs=kwargs or {}) for args, kwargs in calls
    )
    ids = [row.pk for row in rows]
    if ids:
        # robust: the caller's work is committed; a failure here is the relay's to repair.
        transaction.on_commit(lambda: outbox_publish(ids=ids), robust=True)


def outbox_publish(*, ids: list[int]) -> int:
    """Publish these rows unless another publisher holds them or has sent them. While Redis is
    known to be down (the breaker is open) nothing is tried: the relay will publish them."""
    if not _broker().allows():
        return 0
    published, _ok = _publish(OutboxMessage.objects.filter(pk__in=ids), limit=len(ids))
    return published


def outbox_relay(*, limit: int = RELAY_LIMIT) -> int:
    """Publish the rows left unsent, oldest first, ``RELAY_BATCH`` at a time and at most ``limit``;
    stop at the first failure (the next run tries again). Then forget rows sent more than
    ``CVMS_OUTBOX_KEEP_DAYS`` ago. Returns the number of rows published."""
    published = 0
    while published < limit:
        count, ok = _publish(OutboxMessage.objects.all(), limit=min(RELAY_BATCH, limit - published))
        published += count
        if not ok or not count:
            break
    if published:
        log.info("Outbox relay published %s task(s).", published)
    outbox_prune()
    return published


def outbox_prune() -> int:
    cutoff = timezone.now() - datetime.timedelta(days=settings.CVMS_OUTBOX_KEEP_DAYS)
    deleted, _by_model = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


def _broker():
    from cvms.celery import app

    return breaker("task broker", app.conf.broker_write_url or "")


def _publish(rows, *, limit: int) -> tuple[int, bool]:
    """Lock up to ``limit`` unsent ``rows`` (skipping rows another publisher holds), publish them
    in order and mark the published ones sent. Returns (published, no failure)."""
    with transaction.atomic():
        locked = list(rows.filter(sent_at__isnull=True).select_for_update(skip_locked=True).order_by("id")[:limit])
        if not locked:
            return 0, True
        sent, error = _send(locked)
        if sent:
            OutboxMessage.objects.filter(pk__in=sent).update(sent_at=timezone.now())
        if error is not None and len(sent) < len(locked):
            OutboxMessage.objects.filter(pk=locked[len(sent)].pk).update(
                attempts=F("attempts") + 1, last_error=f"{error.__class__.__name__}: {error}"[:255])
    return len(sent), error is None


def _send(rows: list[OutboxMessage]) -> tuple[list[int], Exception | None]:
    """Publish ``rows`` in order over one broker connection; stop at the first failure."""
    from cvms.celery import app

    sent: list[int] = []
    # One try to connect (max_retries), short socket timeouts; the relay is the retry.
    options = {"socket_connect_timeout": settings.REDIS_CONNECT_TIMEOUT, "socket_timeout": settings.REDIS_READ_TIMEOUT,
               "max_retries": 0}
    try:
        with app.connection_for_write(connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
                                      transport_options=options) as connection:
            for row in rows:
                task, args = app.tasks.get(row.task), tuple(row.args)
                if task is None:  # renamed or removed since it was recorded: the worker says so
                    app.send_task(row.task, args, row.kwargs, connection=connection, retry=False)
                else:
                    task.apply_async(args, row.kwargs, connection=connection, retry=False)
                sent.append(row.pk)
    except Exception as error:  # noqa: BLE001 - whatever stops a publication leaves the row to the relay
        _broker().failed(error)
        return sent, error
    _broker().succeeded()
    return sent, None
