"""What every Celery worker does besides running tasks: a heartbeat in Redis for /healthz, and,
once it is ready, a run of the outbox relay for tasks recorded while Redis was down."""

import logging

from celery import bootsteps
from celery.signals import worker_ready

log = logging.getLogger(__name__)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Runs on the worker's own timer, as pings are answered: a worker too busy to answer a ping
    misses its heartbeats too."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.timer_entry = None

    def start(self, worker):
        from cvms.core.health import WORKER_HEARTBEAT_SECONDS, worker_heartbeat_record

        worker_heartbeat_record(worker.hostname)
        self.timer_entry = worker.timer.call_repeatedly(WORKER_HEARTBEAT_SECONDS, worker_heartbeat_record,
                                                        (worker.hostname,), priority=10)

    def stop(self, worker):
        from cvms.core.health import worker_heartbeat_forget

        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None
        worker_heartbeat_forget(worker.hostname)


def _relay_outbox_on_start(sender=None, **kwargs):
    from cvms.core.tasks import relay_outbox

    try:
        relay_outbox.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - beat queues the relay every minute anyway
        log.warning("Could not queue the outbox relay at worker start.", exc_info=True)


def install(app) -> None:
    app.steps["worker"].add(WorkerHeartbeat)
    worker_ready.connect(_relay_outbox_on_start, weak=False)
