"""The public verify page checks signatures on every card, so one client address may check only so
many cards a minute and an hour: past that it answers 429 with a page in the person's language and
checks nothing; other addresses, and just opening the page, are not held back."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from cvms.health_cards.tests.conftest import EXAMPLE_ISSUER, EXAMPLE_JWKS, VECTORS

URL = "/recipient/verify/"
VALID_FILE = VECTORS / "valid" / "test-example-00-e-file-multi-jws.smart-health-card"


@pytest.fixture(autouse=True)
def fresh_counts(db, settings):
    settings.CVMS_SHC_TRUSTED_ISSUERS = json.dumps({EXAMPLE_ISSUER: str(EXAMPLE_JWKS)})
    cache.clear()
    yield
    cache.clear()


def _qr_text():
    compact = json.loads(VALID_FILE.read_text())["verifiableCredential"][0]
    return "shc:/" + "".join(f"{ord(char) - 45:02d}" for char in compact)


def _check(address: str, **headers):
    return Client().post(URL, {"code": _qr_text()}, REMOTE_ADDR=address, **headers)


@override_settings(CVMS_VERIFY_CHECKS_PER_MINUTE=3)
def test_a_fourth_check_in_a_minute_from_one_address_is_refused_with_429():
    assert [_check("198.51.100.7").status_code for _ in range(3)] == [200, 200, 200]
    refused = _check("198.51.100.7")
    body = refused.content.decode()
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Too many cards checked" in body and "Valid card" not in body and "Anyperson" not in body


@override_settings(CVMS_VERIFY_CHECKS_PER_MINUTE=100, CVMS_VERIFY_CHECKS_PER_HOUR=2)
def test_the_hourly_limit_holds_even_under_the_minute_limit():
    assert [_check("198.51.100.8").status_code for _ in range(3)] == [200, 200, 429]


@override_settings(CVMS_VERIFY_CHECKS_PER_MINUTE=1)
def test_another_address_and_opening_the_page_are_not_held_back():
    _check("198.51.100.9")
    assert _check("198.51.100.9").status_code == 429
    assert _check("203.0.113.4").status_code == 200
    assert Client().get(URL, REMOTE_ADDR="198.51.100.9").status_code == 200


@override_settings(CVMS_VERIFY_CHECKS_PER_MINUTE=1)
def test_the_refusal_page_speaks_the_persons_language():
    _check("198.51.100.10", HTTP_ACCEPT_LANGUAGE="es")
    refused = _check("198.51.100.10", HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 429 and '<html lang="es"' in refused.content.decode()


def _settings_process(**env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    full_env.update(env)
    show = ("from django.conf import settings as s; "
            "print(s.CVMS_VERIFY_CHECKS_PER_MINUTE, s.CVMS_VERIFY_CHECKS_PER_HOUR)")
    return subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", show],  # noqa: S603
                          cwd=settings.BASE_DIR, env=full_env, capture_output=True, text=True, timeout=120)


def test_the_rates_default_to_20_a_minute_and_300_an_hour_and_refuse_zero():
    assert _settings_process(CVMS_ENV="development").stdout.split() == ["20", "300"]
    refused = _settings_process(CVMS_ENV="development", CVMS_VERIFY_CHECKS_PER_HOUR="0")
    assert refused.returncode != 0 and "CVMS_VERIFY_CHECKS_PER_HOUR" in refused.stderr


def test_with_the_cache_down_cards_are_still_checked_promptly(settings):
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/1"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": dead}}
    started = time.monotonic()
    response = _check("198.51.100.11")
    assert response.status_code == 200 and "Valid card" in response.content.decode()
    assert time.monotonic() - started < 3
