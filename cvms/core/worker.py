"""What every Celery worker does besides running tasks: a heartbeat in Redis for /healthz, and a
run of the outbox relay for tasks recorded while Redis was down. Both are steps of the consumer,
which Celery starts again on every reconnection to the broker."""

import logging

from celery import bootsteps

log = logging.getLogger(__name__)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A step of the consumer, not of the worker: Celery starts the consumer's steps again each
    time it reconnects to the broker. On a lost connection the consumer clears the timer it shares
    with the worker, so an entry scheduled once at worker start would be gone for good and the
    worker would vanish from /healthz after any Redis outage.

    The beat runs on that timer, as pings are answered: a worker too busy to answer a ping misses
    its heartbeats too."""

    requires = {"celery.worker.consumer.connection:Connection"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.timer_entry = None

    def start(self, consumer):
        from cvms.core.health import WORKER_HEARTBEAT_SECONDS, worker_heartbeat_record

        worker_heartbeat_record(consumer.hostname)
        self.timer_entry = consumer.timer.call_repeatedly(WORKER_HEARTBEAT_SECONDS, worker_heartbeat_record,
                                                          (consumer.hostname,), priority=10)

    def stop(self, consumer):
        """The consumer restarts (the connection is lost) or the worker stops."""
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    def shutdown(self, consumer):
        """The worker stops: it leaves /healthz at once rather than when its heartbeat goes stale."""
        from cvms.core.health import worker_heartbeat_forget

        self.stop(consumer)
        worker_heartbeat_forget(consumer.hostname)


class OutboxRelayOnConnect(bootsteps.StartStopStep):
    """Queues the outbox relay each time the consumer connects to the broker: as the worker
    starts, and as soon as Redis is back after an outage, so the tasks recorded while it was down
    run without waiting for beat."""

    requires = {"celery.worker.consumer.connection:Connection"}

    def start(self, consumer):
        from cvms.core.tasks import relay_outbox

        try:
            relay_outbox.apply_async(retry=False)
        except Exception:  # noqa: BLE001 - beat queues the relay every minute anyway
            log.warning("Could not queue the outbox relay.", exc_info=True)


def install(app) -> None:
    app.steps["consumer"].add(WorkerHeartbeat)
    app.steps["consumer"].add(OutboxRelayOnConnect)
