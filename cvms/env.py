"""Small typed readers for environment variables; bad values stop start-up with a clear message.

A variable that is empty or only spaces counts as unset and gives the default, in every reader:
an env file lists every variable, and ``CELERY_BROKER_URL=`` must not mean "no broker".
"""

import functools
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


def env_int(name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
    """An integer between ``minimum`` and ``maximum``: every integer setting has a least value that
    makes sense (a size, a count or a time of 0 or less would break what reads it)."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {value}")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not value >= minimum:  # also refuses nan
        raise ImproperlyConfigured(f"{name} must be at least {minimum:g}, not {raw!r}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_pattern(name: str, default: str, pattern: str, meaning: str) -> str:
    """A value that must match ``pattern`` (``meaning`` says what in words): one the code cannot
    use would otherwise start fine and fail later, in a request."""
    value = env_str(name, default).strip()
    if not re.fullmatch(pattern, value):
        raise ImproperlyConfigured(f"{name} must be {meaning}, not {value!r}")
    return value


# What Django REST framework reads as a throttle rate: requests, then per second, minute, hour or
# day (it looks at the period's first letter only, so "5/15m" would mean 5 a second).
_RATE = re.compile(r"([0-9]+)/(s|sec|second|m|min|minute|h|hour|d|day)s?")


def env_rate(name: str, default: str) -> str:
    """A throttle rate such as ``60/min``, checked at start-up: one the API cannot read would
    otherwise answer 500 to every call."""
    value = env_str(name, default).strip()
    match = _RATE.fullmatch(value)
    if not match or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"{name} must be a rate such as 60/min (1 or more requests per s, min, hour or "
                                   f"day), not {value!r}")
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
# A trusted origin: https, then a host, or "*." and a domain for its subdomains; an optional port.
_ORIGIN_PATTERN = re.compile(r"https://(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[a-f0-9:.]+\])(:[0-9]+)?")


@functools.cache
def _public_suffixes():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # the list the package ships: nothing is fetched


def _public_suffix(domain: str) -> bool:
    """Whether anyone may register a site under ``domain`` (``gov``, ``co.uk``, ``nc.us``,
    ``github.io``, any top-level domain), by the Public Suffix List."""
    return _public_suffixes().is_public(domain.strip("."))


def check_production_hosts(hosts: list[str]) -> None:
    """Refuse ALLOWED_HOSTS entries that accept any Host header, or that can never match one."""
    for host in hosts:
        if host == "*":
            raise ImproperlyConfigured(
                "ALLOWED_HOSTS must not be '*' in production: it accepts the Host header of any site. Name the "
                "site's hosts (cvms.example.gov, or .example.gov for a domain and its subdomains)."
            )
        if not _HOST_PATTERN.fullmatch(host.lower()):
            raise ImproperlyConfigured(
                f"ALLOWED_HOSTS entry {host!r} is not a host name. Write names such as cvms.example.gov, "
                ".example.gov for a domain and its subdomains, or an IP address: no scheme, path, port or '*'."
            )
        if host.startswith(".") and _public_suffix(host.lower()):
            raise ImproperlyConfigured(
                f"ALLOWED_HOSTS must not be {host!r} in production: {host.strip('.')!r} is a public suffix, "
                "under which anyone may register a site. Name the site's own domain (.example.gov)."
            )


def check_production_origins(origins: list[str]) -> None:
    """Refuse CSRF_TRUSTED_ORIGINS entries that trust any site or plain HTTP, or that Django cannot read."""
    for origin in origins:
        match = _ORIGIN_PATTERN.fullmatch(origin.lower())
        if not match or (match.group(1) and _public_suffix(match.group(2))):
            raise ImproperlyConfigured(
                f"CSRF_TRUSTED_ORIGINS entry {origin!r} must be one site's HTTPS origin, such as "
                "https://cvms.example.gov (or https://*.example.gov for the subdomains of a domain of your own, "
                "never of a public suffix such as *.co.uk)."
            )


def check_secret_key(key: str) -> None:
    """Refuse a SECRET_KEY that is short, Django's insecure default, or far from random: fewer than
    20 different characters, or a piece repeated (``"0123456789" * 6``)."""
    repeated = any(key[period:] == key[:-period] for period in range(1, len(key) // 2 + 1))
    if len(key) < 50 or key.startswith("django-insecure") or len(set(key)) < 20 or repeated:
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a random value of 50+ characters in production: "
            'python3 -c "import secrets; print(secrets.token_urlsafe(64))".'
        )


def dev_secret_key(path: Path) -> str:
    """A random key stored at ``path`` (development only; production must set SECRET_KEY)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()
