"""Health checks for /healthz: database, Redis and the Celery worker (and, for information, beat)."""

import time

from django.core.cache import cache
from django.db import connection

HEARTBEAT_KEY = "cvms:beat-heartbeat"


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
        cache.set("cvms:healthz", "1", timeout=10)
        return {"ok": cache.get("cvms:healthz") == "1"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}


def check_worker(timeout: float = 1.0) -> dict:
    from cvms.celery import app

    try:
        replies = app.control.ping(timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": bool(replies), "workers": len(replies)}


def check_beat(max_age: float = 180.0) -> dict:
    try:
        last = cache.get(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": last is not None and time.time() - float(last) < max_age, "last_heartbeat": last}


def health_report() -> tuple[bool, dict]:
    checks = {"database": check_database(), "redis": check_redis(), "worker": check_worker()}
    healthy = all(c["ok"] for c in checks.values())
    checks["beat"] = check_beat()  # informational: beat only drives periodic jobs
    return healthy, checks
