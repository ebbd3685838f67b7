"""Health checks. ``/livez`` answers at once that the process serves requests. ``/healthz`` says
whether the system is ready: the database, Redis and a Celery worker (seen by the heartbeat every
worker writes to Redis; nothing is pinged), and beat's last run for information. Each check uses
short timeouts, so with Redis down ``/healthz`` answers 503 at once instead of hanging."""

import functools
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from cvms.core.cache import REDIS_DOWN, redis_client_options

BEAT_HEARTBEAT_KEY = "cvms:beat-heartbeat"
WORKERS_KEY = "cvms:worker-heartbeats"  # hash: worker name -> time of its last heartbeat
WORKER_HEARTBEAT_SECONDS = 10.0
WORKER_FRESH_SECONDS = 3 * WORKER_HEARTBEAT_SECONDS
_FORGET_AFTER_SECONDS = 24 * 3600


@functools.cache
def redis_client(url: str) -> redis.Redis:
    """A plain client (not the fail-safe cache, which hides failures), one pool per process."""
    return redis.Redis.from_url(url, **redis_client_options())


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure
        return {"ok": False, "error": exc.__class__.__name__}


def check_redis() -> dict:
    try:
        return {"ok": bool(redis_client(settings.REDIS_URL).ping())}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}


def check_worker() -> dict:
    """Workers whose heartbeat is fresh."""
    try:
        beats = redis_client(settings.REDIS_URL).hgetall(WORKERS_KEY)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    now = time.time()
    fresh = sum(1 for at in beats.values() if now - float(at) < WORKER_FRESH_SECONDS)
    return {"ok": fresh > 0, "workers": fresh}


def check_beat(max_age: float = 180.0) -> dict:
    last = cache.get(BEAT_HEARTBEAT_KEY)
    return {"ok": last is not None and time.time() - float(last) < max_age, "last_heartbeat": last}


def health_report() -> tuple[bool, dict]:
    checks = {"database": check_database(), "redis": check_redis()}
    unreachable = {"ok": False, "error": "Redis unreachable"}
    checks["worker"] = check_worker() if checks["redis"]["ok"] else unreachable
    healthy = all(c["ok"] for c in checks.values())
    checks["beat"] = check_beat() if checks["redis"]["ok"] else unreachable  # informational
    return healthy, checks


def worker_heartbeat_record(name: str) -> None:
    """Note that worker ``name`` is alive (called every WORKER_HEARTBEAT_SECONDS by the worker);
    forget workers silent for a day. Never raises: a worker outlives a Redis outage."""
    client = redis_client(settings.REDIS_URL)
    now = time.time()
    try:
        client.hset(WORKERS_KEY, name, now)
        gone = [worker for worker, at in client.hgetall(WORKERS_KEY).items() if now - float(at) > _FORGET_AFTER_SECONDS]
        if gone:
            client.hdel(WORKERS_KEY, *gone)
    except REDIS_DOWN:
        pass


def worker_heartbeat_forget(name: str) -> None:
    try:
        redis_client(settings.REDIS_URL).hdel(WORKERS_KEY, name)
    except REDIS_DOWN:
        pass
