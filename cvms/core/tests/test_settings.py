"""Production settings: refuse to start unsafely, and pass ``check --deploy``."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "CVMS_ENV": "production",
    "SECRET_KEY": "k8Jz2pQw7Vn4Rt9Ly1Xc6Bm3Hd5Fg0Sa8Ue2Wi7Oq4Tp1Zr6Nv3Mb9Kc5Jd0Lf2",
    "ALLOWED_HOSTS": "cvms.example.gov",
    "DEBUG": "false",
}


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=full_env,  # noqa: S603
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = _manage("check", **{**PRODUCTION_ENV, "DEBUG": "true"})
    assert result.returncode != 0 and "DEBUG" in result.stderr


def test_bad_boolean_is_reported_by_name():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


def test_sqlite_is_refused():
    result = _manage("check", DATABASE_URL="sqlite:///x.db")
    assert result.returncode != 0 and "PostgreSQL" in result.stderr


def test_a_negative_trusted_proxy_count_is_refused_by_name():
    result = _manage("check", CVMS_TRUSTED_PROXY_COUNT="-1")
    assert result.returncode != 0 and "CVMS_TRUSTED_PROXY_COUNT must be at least 0" in result.stderr


def test_a_sign_in_limit_of_zero_is_refused_by_name():
    result = _manage("check", CVMS_SIGNIN_FAILURES_PER_LOGIN="0")
    assert result.returncode != 0 and "CVMS_SIGNIN_FAILURES_PER_LOGIN must be at least 1" in result.stderr


def test_the_retired_allauth_limit_variable_is_refused_with_its_replacements():
    result = _manage("check", LOGIN_FAILED_LIMIT="5/15m/key")
    assert result.returncode != 0 and "CVMS_SIGNIN_FAILURES_PER_LOGIN" in result.stderr


def test_production_with_a_trusted_proxy_reads_one_hop_everywhere():
    result = _manage("shell", "-v", "0", "-c", "from django.conf import settings; "
                     "print(settings.CVMS_TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'])",
                     CVMS_TRUSTED_PROXY_COUNT="1", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1"]
