"""A small circuit breaker for calls to Redis (the cache, the broker): after a failure, calls are
skipped for ``REDIS_RETRY_AFTER`` seconds, so a server that is down costs one timeout per period
instead of one per call; then a single call is let through and its outcome decides.

Lock-free on purpose: every cache call passes through it, and a lock held around the call would
queue all of a process's threads behind one slow server.
"""

import logging
import time
from urllib.parse import urlsplit

from django.conf import settings

log = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name: str, retry_after: float | None = None):
        self.name = name
        self._retry_after = retry_after
        self.open_until = 0.0  # monotonic time; 0 while closed

    @property
    def retry_after(self) -> float:
        return settings.REDIS_RETRY_AFTER if self._retry_after is None else self._retry_after

    @property
    def is_open(self) -> bool:
        return self.open_until != 0.0

    def allows(self) -> bool:
        """Whether to make the call now. Once the pause is over, the first caller makes the trial
        call and the others keep skipping until it fails or succeeds."""
        if not self.open_until:
            return True
        now = time.monotonic()
        if now < self.open_until:
            return False
        self.open_until = now + self.retry_after
        return True

    def failed(self, error: BaseException) -> None:
        if not self.open_until:
            log.warning("%s: Redis is unreachable (%s: %s); trying again in %g s.", self.name,
                        error.__class__.__name__, error, self.retry_after)
        self.open_until = time.monotonic() + self.retry_after

    def succeeded(self) -> None:
        if self.open_until:
            self.open_until = 0.0
            log.warning("%s: Redis answers again.", self.name)


_breakers: dict[str, CircuitBreaker] = {}


def breaker(use: str, url: str) -> CircuitBreaker:
    """The process-wide breaker (shared by every thread) for ``use`` of the Redis server at ``url``."""
    parts = urlsplit(url)
    name = f"{use} ({parts.hostname}:{parts.port or 6379}{parts.path})"  # no credentials in logs
    if name not in _breakers:
        _breakers[name] = CircuitBreaker(name)
    return _breakers[name]


def breakers_reset() -> None:
    """Forget every failure (tests)."""
    _breakers.clear()
