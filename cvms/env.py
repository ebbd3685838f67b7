"""Small typed readers for environment variables; bad values stop start-up with a clear message.

A variable that is empty or only spaces counts as unset and gives the default, in every reader:
an env file lists every variable, and ``CELERY_BROKER_URL=`` must not mean "no broker".
"""

import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# What the example env files hold where the operator must write a value of their own.
PLACEHOLDER = "CHANGE-ME"
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


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not value >= minimum:  # also refuses nan
        raise ImproperlyConfigured(f"{name} must be at least {minimum:g}, not {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Comma-separated items, stripped; blank items are dropped, and a list of none is unset."""
    items = [item.strip() for item in (_raw(name) or "").split(",") if item.strip()]
    return items or default


def check_no_placeholders(environ) -> None:
    """Refuse to start while any variable still holds the example env file's placeholder."""
    left = sorted(name for name, value in environ.items() if PLACEHOLDER in value)
    if left:
        raise ImproperlyConfigured(
            f"Replace {PLACEHOLDER} with a value of your own in: {', '.join(left)} "
            "(see the README, Deploying with Docker Compose)."
        )


# What Django compares a Host header with: a name, ".name" for a domain and its subdomains, or a
# bracketed IPv6 address. Anything else either matches every host ("*") or none.
_HOST_PATTERN = re.compile(r"\.?[a-z0-9-]+(\.[a-z0-9-]+)*\.?|\[[a-f0-9]*:[a-f0-9.:]+\]")
# A trusted origin: scheme, then a host, or "*." and a domain for its subdomains; an optional port.
_ORIGIN_PATTERN = re.compile(r"https?://(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[a-f0-9:.]+\])(:[0-9]+)?")


def _whole_top_level_domain(domain: str) -> bool:
    """``.gov`` or ``*.gov``: a pattern that takes every site under a top-level domain."""
    return "." not in domain.strip(".").lstrip("*.")


def check_production_hosts(hosts: list[str]) -> None:
    """Refuse ALLOWED_HOSTS entries that accept any Host header, or that can never match one."""
    for host in hosts:
        if host == "*" or (host.startswith(".") and _whole_top_level_domain(host)):
            raise ImproperlyConfigured(
                f"ALLOWED_HOSTS must not be {host!r} in production: it accepts the Host header of "
                "any site. Name the site's hosts (cvms.example.gov, or .example.gov for a domain and "
                "its subdomains)."
            )
        if not _HOST_PATTERN.fullmatch(host.lower()):
            raise ImproperlyConfigured(
                f"ALLOWED_HOSTS entry {host!r} is not a host name. Write names such as cvms.example.gov, "
                ".example.gov for a domain and its subdomains, or an IP address: no scheme, path, port or '*'."
            )


def check_production_origins(origins: list[str]) -> None:
    """Refuse CSRF_TRUSTED_ORIGINS entries that trust any site, or that Django cannot read."""
    for origin in origins:
        match = _ORIGIN_PATTERN.fullmatch(origin.lower())
        if not match or (match.group(1) and _whole_top_level_domain(match.group(2))):
            raise ImproperlyConfigured(
                f"CSRF_TRUSTED_ORIGINS entry {origin!r} must be one site's origin, such as "
                "https://cvms.example.gov (or https://*.example.gov for a domain's subdomains)."
            )


def dev_secret_key(path: Path) -> str:
    """A random key stored at ``path`` (development only; production must set SECRET_KEY)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()
