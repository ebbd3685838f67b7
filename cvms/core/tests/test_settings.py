"""Production settings: refuse to start unsafely, and pass ``check --deploy``."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from jwcrypto import jwk

PRODUCTION_ENV = {
    "CVMS_ENV": "production",
    "SECRET_KEY": "k8Jz2pQw7Vn4Rt9Ly1Xc6Bm3Hd5Fg0Sa8Ue2Wi7Oq4Tp1Zr6Nv3Mb9Kc5Jd0Lf2",
    "ALLOWED_HOSTS": "cvms.example.gov",
    "DEBUG": "false",
    # SMART Health Cards: production signs with a key it is given, as an https issuer.
    "CVMS_SHC_SIGNING_KEY": jwk.JWK.generate(kty="EC", crv="P-256").export_private(),
    "CVMS_SHC_ISSUER": "https://cvms.example.gov",
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


def _start(**env):
    """Load the settings as a server process would, without Django's system checks."""
    return _manage("shell", "--no-imports", "-c", "import cvms.wsgi", **env)


def _setting(name, **env):
    """The value a fresh process reads for ``settings.<name>``, under ``env``."""
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    result = _manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def test_empty_celery_broker_url_means_redis_not_amqp():
    code = "from cvms.celery import app; print(app.connection_for_write().as_uri())"
    result = _manage("shell", "--no-imports", "-c", code, CELERY_BROKER_URL="", CELERY_RESULT_BACKEND="  ",
                     REDIS_URL="redis://127.0.0.1:6399/3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "redis://127.0.0.1:6399/3"


def test_empty_paths_fall_back_to_their_defaults():
    assert _setting("MEDIA_ROOT", MEDIA_ROOT="").endswith("/.var/media')")
    assert _setting("EMAIL_BACKEND", EMAIL_BACKEND=" ") == "'cvms.core.mail.MailboxBackend'"


def test_empty_boolean_keeps_the_production_default():
    assert _setting("SECURE_SSL_REDIRECT", **PRODUCTION_ENV, SECURE_SSL_REDIRECT="") == "True"


def test_empty_allowed_hosts_keeps_the_development_default():
    assert _setting("ALLOWED_HOSTS", ALLOWED_HOSTS=" ") == "['localhost', '127.0.0.1', '[::1]']"


@pytest.mark.parametrize("hosts", ["*", "cvms.example.gov,*", "*.example.gov", ".", "*.", ". , cvms.example.gov",
                                   "https://cvms.example.gov", "cvms.example.gov/enroll"])
def test_production_refuses_allowed_hosts_that_allow_any_host_or_cannot_match(hosts):
    result = _start(**{**PRODUCTION_ENV, "ALLOWED_HOSTS": hosts})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize("hosts", ["", " , ,"])
def test_production_refuses_allowed_hosts_without_a_host(hosts):
    result = _start(**{**PRODUCTION_ENV, "ALLOWED_HOSTS": hosts})
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_production_takes_host_names_subdomain_patterns_and_addresses():
    hosts = "cvms.example.gov, .vaccines.example.gov,10.0.0.5,[2001:db8::1]"
    assert _setting("ALLOWED_HOSTS", **{**PRODUCTION_ENV, "ALLOWED_HOSTS": hosts}) == (
        "['cvms.example.gov', '.vaccines.example.gov', '10.0.0.5', '[2001:db8::1]']")


def test_production_refuses_a_subdomain_pattern_for_a_whole_top_level_domain():
    result = _start(**{**PRODUCTION_ENV, "ALLOWED_HOSTS": ".gov"})
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize("origins", ["*", "https://*", "https://*.gov", "cvms.example.gov"])
def test_production_refuses_csrf_trusted_origins_that_trust_any_site(origins):
    result = _start(**{**PRODUCTION_ENV, "CSRF_TRUSTED_ORIGINS": origins})
    assert result.returncode != 0 and "CSRF_TRUSTED_ORIGINS" in result.stderr


def test_production_takes_trusted_origins_of_its_own_domain():
    origins = "https://cvms.example.gov,https://*.vaccines.example.gov"
    assert _setting("CSRF_TRUSTED_ORIGINS", **{**PRODUCTION_ENV, "CSRF_TRUSTED_ORIGINS": origins}) == (
        "['https://cvms.example.gov', 'https://*.vaccines.example.gov']")
def test_bad_redis_timeouts_are_reported_by_name():
    result = _manage("check", REDIS_CONNECT_TIMEOUT="soon")
    assert result.returncode != 0 and "REDIS_CONNECT_TIMEOUT must be a number, not 'soon'" in result.stderr
    result = _manage("check", REDIS_READ_TIMEOUT="0")
    assert result.returncode != 0 and "REDIS_READ_TIMEOUT must be at least 0.01, not '0'" in result.stderr
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


def test_help_desk_hours_default_to_north_carolinas_in_english_and_spanish():
    assert _setting("CVMS_HELPDESK_HOURS").startswith("'Monday–Friday 7 AM–7 PM")
    assert _setting("CVMS_HELPDESK_HOURS_ES").startswith("'de lunes a viernes, de 7 a. m. a 7 p. m.")


def test_help_desk_hours_set_in_english_only_are_never_shown_as_north_carolinas_in_spanish():
    hours = "Monday–Friday 8 AM–5 PM (Central)"
    assert _setting("CVMS_HELPDESK_HOURS_ES", CVMS_HELPDESK_HOURS=hours) == repr(hours)
    assert _setting("CVMS_HELPDESK_HOURS_ES", CVMS_HELPDESK_HOURS=hours,
                    CVMS_HELPDESK_HOURS_ES="de lunes a viernes, de 8 a. m. a 5 p. m.") == (
        "'de lunes a viernes, de 8 a. m. a 5 p. m.'")


@pytest.mark.parametrize("hosts", [".co.uk", ".nc.us", ".github.io", "cvms.example.gov,.k12.nc.us"])
def test_production_refuses_a_subdomain_pattern_for_a_public_suffix(hosts):
    result = _start(**{**PRODUCTION_ENV, "ALLOWED_HOSTS": hosts})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr and "public suffix" in result.stderr


def test_production_takes_subdomain_patterns_of_a_registered_domain_under_a_public_suffix():
    hosts = ".vaccines.example.co.uk,.dps.nc.us"
    assert _setting("ALLOWED_HOSTS", **{**PRODUCTION_ENV, "ALLOWED_HOSTS": hosts}) == (
        "['.vaccines.example.co.uk', '.dps.nc.us']")


@pytest.mark.parametrize("origins", ["https://*.co.uk", "https://*.github.io", "http://cvms.example.gov",
                                     "https://cvms.example.gov,http://intake.example.gov:8080"])
def test_production_refuses_trusted_origins_for_a_public_suffix_or_without_https(origins):
    result = _start(**{**PRODUCTION_ENV, "CSRF_TRUSTED_ORIGINS": origins})
    assert result.returncode != 0 and "CSRF_TRUSTED_ORIGINS" in result.stderr


@pytest.mark.parametrize("key", ["abcde" * 10, "0123456789" * 6, "k8Jz2pQw7Vn4Rt9Ly1Xc6Bm3H" * 3,
                                 "django-insecure-" + PRODUCTION_ENV["SECRET_KEY"], "k8Jz2pQw7Vn4Rt9Ly1Xc6Bm3Hd5"])
def test_production_refuses_a_secret_key_without_real_entropy(key):
    result = _start(**{**PRODUCTION_ENV, "SECRET_KEY": key})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_tasks_run_in_the_calling_process():
    result = _start(**{**PRODUCTION_ENV, "CELERY_TASK_ALWAYS_EAGER": "true"})
    assert result.returncode != 0 and "CELERY_TASK_ALWAYS_EAGER" in result.stderr


def test_every_integer_setting_has_a_minimum():
    import ast

    tree = ast.parse((settings.BASE_DIR / "cvms" / "settings.py").read_text())
    readers = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
               and getattr(node.func, "id", None) in ("env_int", "env_float")]
    unbounded = [node.args[0].value for node in readers if node.func.id == "env_int"
                 and "minimum" not in {keyword.arg for keyword in node.keywords}]
    assert len(readers) > 20 and unbounded == []


@pytest.mark.parametrize(("name", "rate"), [("API_ANON_RATE", "banana"), ("API_USER_RATE", "10/fortnight"),
                                            ("API_ANON_RATE", "0/min"), ("API_ANON_RATE", "-5/min"),
                                            ("API_USER_RATE", "5/15m"), ("API_USER_RATE", "60")])
def test_a_throttle_rate_the_api_cannot_read_stops_the_start_by_name(name, rate):
    result = _start(**{name: rate})
    assert result.returncode != 0 and f"{name} must be a rate such as 60/min" in result.stderr


@pytest.mark.parametrize("rate", ["60/min", "5/s", "1000/hour", "100000/day", "10/minute", "2/second"])
def test_every_throttle_rate_taken_at_start_is_one_the_api_reads(rate, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from cvms.env import env_rate

    monkeypatch.setenv("API_ANON_RATE", rate)
    assert SimpleRateThrottle.parse_rate(None, env_rate("API_ANON_RATE", "60/min"))[0] >= 1


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CVMS_UPLOAD_MAX_BYTES", "-1", "CVMS_UPLOAD_MAX_BYTES must be at least 1, not -1"),
    ("CVMS_UPLOAD_READ_SECONDS", "0", "CVMS_UPLOAD_READ_SECONDS must be at least 1, not 0"),
    ("CVMS_UPLOAD_MAX_COLUMNS", "3", "CVMS_UPLOAD_MAX_COLUMNS must be at least 4, not 3"),
    ("CVMS_UPLOAD_LOCK_TIMEOUT", "0", "CVMS_UPLOAD_LOCK_TIMEOUT must be at least 1, not 0"),
    ("EMAIL_PORT", "70000", "EMAIL_PORT must be at most 65535, not 70000"),
    ("CELERY_TASK_SOFT_TIME_LIMIT", "1800", "CELERY_TASK_SOFT_TIME_LIMIT must be less than CELERY_TASK_TIME_LIMIT"),
    ("ACCOUNT_EMAIL_VERIFICATION", "sometimes", "ACCOUNT_EMAIL_VERIFICATION must be one of mandatory, optional, none"),
    ("CVMS_PIN_PREFIX", "NC-A", "CVMS_PIN_PREFIX must be 2 to 4 capital letters"),
    ("CVMS_PIN_PREFIX", "ncab1", "CVMS_PIN_PREFIX must be 2 to 4 capital letters"),
    ("CVMS_ENV", "staging", "CVMS_ENV must be one of development, test, production"),
    ("CVMS_PUBLIC_CACHE_SECONDS", "0", "CVMS_PUBLIC_CACHE_SECONDS must be at least 1, not 0"),
    ("CVMS_PUBLIC_CACHE_SECONDS", "3600", "CVMS_PUBLIC_CACHE_SECONDS must be at most 300, not 3600"),
])
def test_a_value_the_code_cannot_use_stops_the_start_by_name(name, value, message):
    """Integers out of their range, and values that would start fine and fail in a request later."""
    result = _start(**{name: value})
    assert result.returncode != 0 and message in result.stderr
