"""Small typed readers for environment variables; bad values stop start-up with a clear message.

A variable that is empty or only spaces counts as unset and gives the default, in every reader:
an env file lists every variable, and ``CELERY_BROKER_URL=`` must not mean "no broker".
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """The variable's value, or None when it is unset, empty or only spaces."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    return raw


def env_str(name: str, default: str) -> str:
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Comma-separated items, stripped; blank items are dropped, and a list of none is unset."""
    items = [item.strip() for item in (_raw(name) or "").split(",") if item.strip()]
    return items or default


def dev_secret_key(path: Path) -> str:
    """A random key stored at ``path`` (development only; production must set SECRET_KEY)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()
