"""CVMS settings, read from environment variables (see .env.example).

Every variable has a development default except where production must set it, and a bad value
(an integer below its minimum, a throttle rate the API cannot read) stops start-up naming the
variable. With CVMS_ENV=production the process also refuses to start while a variable still
holds the example env file's CHANGE-ME placeholder, on a SECRET_KEY that is not random, with DEBUG
on, with tasks run in the calling process, with an ALLOWED_HOSTS that is empty, '*', not a list of
host names or a pattern for a public suffix, or with a CSRF_TRUSTED_ORIGINS entry that trusts
plain HTTP or any site.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cvms.core.exports import FORMATS as export_formats_list
from cvms.env import (
    check_no_placeholders,
    check_production_hosts,
    check_production_origins,
    check_secret_key,
    dev_secret_key,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_pattern,
    env_rate,
    env_str,
)
from cvms.organizations.counties import NC_COUNTIES

BASE_DIR = Path(__file__).resolve().parent.parent

# pytest (8.2+) sets PYTEST_VERSION, so a test run defaults to the test environment.
CVMS_ENV = env_choice("CVMS_ENV", "test" if os.environ.get("PYTEST_VERSION") else "development",
                      ("development", "test", "production"))
PRODUCTION = CVMS_ENV == "production"

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

if not SECRET_KEY and not PRODUCTION:
    # Development and tests: a random key kept out of the repository, made on first start.
    SECRET_KEY = dev_secret_key(BASE_DIR / ".var" / "dev-secret-key")

if PRODUCTION:
    check_no_placeholders(os.environ)
    check_secret_key(SECRET_KEY)
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS in production.")
    check_production_hosts(ALLOWED_HOSTS)
    check_production_origins(CSRF_TRUSTED_ORIGINS)

# --- Jurisdiction: North Carolina is the default; another state deploys by configuration alone.
CVMS_JURISDICTION_NAME = env_str("CVMS_JURISDICTION_NAME", "North Carolina")
CVMS_JURISDICTION_CODE = env_str("CVMS_JURISDICTION_CODE", "NC")
# A Provider PIN is this prefix and six digits; the database holds every PIN to that shape.
CVMS_PIN_PREFIX = env_pattern("CVMS_PIN_PREFIX", "NCA", r"[A-Z]{2,4}", "2 to 4 capital letters")
CVMS_GENERIC_HELPDESK_CODE = env_str("CVMS_GENERIC_HELPDESK_CODE", "VAC2021")
CVMS_HELPDESK_PHONE = env_str("CVMS_HELPDESK_PHONE", "(877) 873-6247")
# The help desk's hours as shown in English and in Spanish. The Spanish default is North
# Carolina's: hours set in English only are shown on Spanish pages as written, never NC's.
_NC_HELPDESK_HOURS = "Monday–Friday 7 AM–7 PM, Saturday–Sunday 8 AM–4 PM (Eastern)"
CVMS_HELPDESK_HOURS = env_str("CVMS_HELPDESK_HOURS", _NC_HELPDESK_HOURS)
CVMS_HELPDESK_HOURS_ES = env_str(
    "CVMS_HELPDESK_HOURS_ES",
    "de lunes a viernes, de 7 a. m. a 7 p. m.; sábados y domingos, de 8 a. m. a 4 p. m. (hora del este)"
    if CVMS_HELPDESK_HOURS == _NC_HELPDESK_HOURS else CVMS_HELPDESK_HOURS,
)
CVMS_RECIPIENT_HELP_PHONE = env_str("CVMS_RECIPIENT_HELP_PHONE", "(888) 675-4567")
# The counties a walk-in's address may name, comma-separated (North Carolina's 100 by default; another
# jurisdiction that lists none gets a free-text county).
CVMS_COUNTIES = env_list("CVMS_COUNTIES", NC_COUNTIES if CVMS_JURISDICTION_CODE == "NC" else [])
# A recipient's check-in code (the QR code of the welcome email) opens their record for this long.
CVMS_CHECKIN_CODE_DAYS = env_int("CVMS_CHECKIN_CODE_DAYS", 365, minimum=1)
# Seconds the public "find a vaccine" pages and the SMART Scheduling Links feed are answered from
# the cache before they are built again (a launch morning's crowd is served from it).
CVMS_PUBLIC_CACHE_SECONDS = env_int("CVMS_PUBLIC_CACHE_SECONDS", 15, minimum=1, maximum=300)
CVMS_DEPARTMENT_NAME = env_str(
    "CVMS_DEPARTMENT_NAME", "NC Department of Health and Human Services, Division of Public Health"
)
CVMS_STATE_BRANCH_NAME = env_str("CVMS_STATE_BRANCH_NAME", "NC Immunization Branch")
CVMS_RECIPIENT_USERNAME_SUFFIX = env_str("CVMS_RECIPIENT_USERNAME_SUFFIX", ".covid19vaccine")
CVMS_WELCOME_LINK_DAYS = env_int("CVMS_WELCOME_LINK_DAYS", 14, minimum=1)
# A new welcome link on request (anyone may ask, without signing in): at most one per recipient per
# wait (kept in PostgreSQL), and this many requests an hour from one client address (in the cache).
CVMS_WELCOME_RESEND_MINUTES = env_int("CVMS_WELCOME_RESEND_MINUTES", 15, minimum=1)
CVMS_WELCOME_RESENDS_PER_ADDRESS = env_int("CVMS_WELCOME_RESENDS_PER_ADDRESS", 10, minimum=1)
# Self-registration (FAQ 29, a later phase): people sign up, prove their email and register on their
# own. Off: the sign-up page says how to get vaccinated instead.
CVMS_SELF_REGISTRATION = env_bool("CVMS_SELF_REGISTRATION", False)
# Claiming a record with a one-time code: minutes a code works, wrong tries it allows, codes one
# record may be sent an hour (kept in PostgreSQL), and claims an hour from one client address (cache).
CVMS_CLAIM_CODE_MINUTES = env_int("CVMS_CLAIM_CODE_MINUTES", 15, minimum=1)
CVMS_CLAIM_CODE_ATTEMPTS = env_int("CVMS_CLAIM_CODE_ATTEMPTS", 5, minimum=1)
CVMS_CLAIM_CODES_PER_HOUR = env_int("CVMS_CLAIM_CODES_PER_HOUR", 3, minimum=1)
CVMS_CLAIMS_PER_ADDRESS = env_int("CVMS_CLAIMS_PER_ADDRESS", 20, minimum=1)
# "Request a correction": open requests one recipient may have waiting for staff at once.
CVMS_RECIPIENT_OPEN_REQUESTS = env_int("CVMS_RECIPIENT_OPEN_REQUESTS", 3, minimum=1)
# Welcome emails a dead worker left "sending" are queued again after this many minutes; emails
# still pending this many hours after they were queued (a lost task) too.
CVMS_WELCOME_STUCK_MINUTES = env_int("CVMS_WELCOME_STUCK_MINUTES", 15, minimum=1)
CVMS_WELCOME_LOST_HOURS = env_int("CVMS_WELCOME_LOST_HOURS", 6, minimum=1)
CVMS_WELCOME_SMTP_CONNECTIONS = env_int("CVMS_WELCOME_SMTP_CONNECTIONS", 2, minimum=1)  # per batch, used at once
CVMS_INVITATION_DAYS = env_int("CVMS_INVITATION_DAYS", 14, minimum=1)
# Help desk registration: hours the emailed temporary password works, and registrations one client
# address may send in an hour (cache; a wrong registration code also counts in the sign-in lockout).
CVMS_TEMPORARY_PASSWORD_HOURS = env_int("CVMS_TEMPORARY_PASSWORD_HOURS", 72, minimum=1, maximum=24 * 30)
CVMS_HELPDESK_REGISTRATIONS_PER_ADDRESS = env_int("CVMS_HELPDESK_REGISTRATIONS_PER_ADDRESS", 10, minimum=1)
CVMS_UPLOAD_MAX_BYTES = env_int("CVMS_UPLOAD_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
# Rows committed together: the progress bar of a portal upload moves once per chunk; back-end
# loads of any size take bigger chunks.
CVMS_UPLOAD_CHUNK_SIZE = env_int("CVMS_UPLOAD_CHUNK_SIZE", 1000, minimum=1)
CVMS_UPLOAD_BACKEND_CHUNK_SIZE = env_int("CVMS_UPLOAD_BACKEND_CHUNK_SIZE", 10000, minimum=1)
# Database connections storing chunks side by side while the file is read (each commits in order).
CVMS_UPLOAD_WRITERS = env_int("CVMS_UPLOAD_WRITERS", 2, minimum=1)
# Seconds a writer waits on a row lock (PostgreSQL would read 0 as "forever").
CVMS_UPLOAD_LOCK_TIMEOUT = env_int("CVMS_UPLOAD_LOCK_TIMEOUT", 20, minimum=1)
# The work one portal or API file may cause (the back-end command is bounded only by columns):
# rows under the header counting blank ones, columns a row may fill, an XLSX's unpacked size and
# the cells (and shared strings) its sheets hold, and the seconds a web request may spend reading
# it. Past any of them the file is refused whole.
CVMS_UPLOAD_MAX_LINES = env_int("CVMS_UPLOAD_MAX_LINES", 10_000, minimum=1)
CVMS_UPLOAD_MAX_COLUMNS = env_int("CVMS_UPLOAD_MAX_COLUMNS", 250, minimum=4)  # the four required columns
CVMS_UPLOAD_MAX_UNZIPPED_BYTES = env_int("CVMS_UPLOAD_MAX_UNZIPPED_BYTES", 50 * 1024 * 1024, minimum=1)
CVMS_UPLOAD_MAX_CELLS = env_int("CVMS_UPLOAD_MAX_CELLS", 500_000, minimum=1)
CVMS_UPLOAD_READ_SECONDS = env_int("CVMS_UPLOAD_READ_SECONDS", 20, minimum=1)
# Runs an upload gets (a worker killed, an error) before it is marked failed and its uploader told.
CVMS_UPLOAD_MAX_ATTEMPTS = env_int("CVMS_UPLOAD_MAX_ATTEMPTS", 5, minimum=1)
# Help desk cases: hours from opening to the due time by priority; attachments (a size cap, which
# the upload cap above also bounds, the file types accepted, files per message); cases the public
# recipient form takes an hour from one client address (counted in the cache).
CVMS_CASE_DUE_HOURS_HIGH = env_int("CVMS_CASE_DUE_HOURS_HIGH", 4, minimum=1)
CVMS_CASE_DUE_HOURS_NORMAL = env_int("CVMS_CASE_DUE_HOURS_NORMAL", 24, minimum=1)
CVMS_CASE_DUE_HOURS_LOW = env_int("CVMS_CASE_DUE_HOURS_LOW", 72, minimum=1)
CVMS_CASE_ATTACHMENT_MAX_BYTES = env_int("CVMS_CASE_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
CVMS_CASE_ATTACHMENT_TYPES = [t.lower().lstrip(".") for t in env_list(
    "CVMS_CASE_ATTACHMENT_TYPES", ["pdf", "png", "jpg", "jpeg", "csv", "txt", "xlsx", "docx"])]
CVMS_CASE_ATTACHMENTS_PER_MESSAGE = env_int("CVMS_CASE_ATTACHMENTS_PER_MESSAGE", 5, minimum=1)
# People one HCP User Onboarding file may list (its size is capped as any case attachment's).
CVMS_ONBOARDING_MAX_ROWS = env_int("CVMS_ONBOARDING_MAX_ROWS", 500, minimum=1)
CVMS_RECIPIENT_CASES_PER_ADDRESS = env_int("CVMS_RECIPIENT_CASES_PER_ADDRESS", 5, minimum=1)
# Vaccines.gov: the daily file is written at this time of day (HH:MM in CELERY_TIMEZONE, UTC: 10:00
# is 05:00 or 06:00 Eastern, before the 07:00 ET cut-off for same-day changes) into this folder of
# the private file storage; figures not updated for this many days show "Call to confirm".
CVMS_VACCINES_GOV_EXPORT_AT = env_pattern("CVMS_VACCINES_GOV_EXPORT_AT", "10:00", r"([01][0-9]|2[0-3]):[0-5][0-9]",
                                          "a time of day as HH:MM (24-hour)")
CVMS_VACCINES_GOV_FOLDER = env_pattern("CVMS_VACCINES_GOV_FOLDER", "vaccines-gov", r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*",
                                       "a relative folder name (letters, digits, - and _, parts split by /)")
CVMS_VACCINES_GOV_STALE_DAYS = env_int("CVMS_VACCINES_GOV_STALE_DAYS", 29, minimum=1)
# Appointment reminders: beat sends the day-before reminders (of tomorrow in TIME_ZONE) and the
# next-dose-due reminders at this time of day (HH:MM in CELERY_TIMEZONE, UTC: 22:00 is 17:00 or
# 18:00 Eastern), at most this many emails a run; a full run queues the next one at once.
CVMS_REMINDERS_AT = env_pattern("CVMS_REMINDERS_AT", "22:00", r"([01][0-9]|2[0-3]):[0-5][0-9]",
                                "a time of day as HH:MM (24-hour)")
CVMS_REMINDER_BATCH = env_int("CVMS_REMINDER_BATCH", 200, minimum=1, maximum=5000)
# "Your group is open" emails one run sends at most; a full run queues the next (cvms.eligibility.notices).
CVMS_GROUP_EMAIL_BATCH = env_int("CVMS_GROUP_EMAIL_BATCH", 200, minimum=1, maximum=5000)
# Recipients whose group one run recomputes after state staff change a group's rules (cvms.eligibility.regroup).
CVMS_GROUP_RECOMPUTE_BATCH = env_int("CVMS_GROUP_RECOMPUTE_BATCH", 1000, minimum=1, maximum=10000)
# A location's inventory page warns of lots expiring within this many days, and suggests offering
# lots with doses available that expire within the second window on the Vaccine Marketplace.
CVMS_EXPIRING_SOON_DAYS = env_int("CVMS_EXPIRING_SOON_DAYS", 30, minimum=1)
CVMS_MARKETPLACE_SUGGEST_DAYS = env_int("CVMS_MARKETPLACE_SUGGEST_DAYS", 60, minimum=1)
# A shared inbox of the Immunization Branch told of every transfer request waiting for approval,
# beside the state staff themselves (blank: the state staff only).
CVMS_TRANSFER_APPROVAL_EMAIL = env_pattern("CVMS_TRANSFER_APPROVAL_EMAIL", "", r"([^@\s]+@[^@\s]+\.[^@\s]+)?",
                                           "an email address or blank")
# Reporting (VXU): HL7 v2.5.1 VXU^V04 messages to the state immunization registry over MLLP
# (cvms.reporting.hl7, cvms.reporting.mllp). The sending and receiving application and facility
# (MSH-3 to MSH-6, and the assigning authority of the ids sent) are the registry's names for them;
# the processing id (MSH-11) is P(roduction), T(raining) or D(ebugging). A blank host sends nothing.
_HL7_NAME = r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,19}"
_HL7_NAME_MEANING = "1 to 20 letters, digits, spaces, dots, hyphens or underscores"
CVMS_HL7_SENDING_APPLICATION = env_pattern("CVMS_HL7_SENDING_APPLICATION", "CVMS", _HL7_NAME, _HL7_NAME_MEANING)
CVMS_HL7_SENDING_FACILITY = env_pattern("CVMS_HL7_SENDING_FACILITY", "NCDHHS-CVMS", _HL7_NAME, _HL7_NAME_MEANING)
CVMS_HL7_RECEIVING_APPLICATION = env_pattern("CVMS_HL7_RECEIVING_APPLICATION", "NCIR", _HL7_NAME, _HL7_NAME_MEANING)
CVMS_HL7_RECEIVING_FACILITY = env_pattern("CVMS_HL7_RECEIVING_FACILITY", "NCDHHS", _HL7_NAME, _HL7_NAME_MEANING)
CVMS_HL7_PROCESSING_ID = env_choice("CVMS_HL7_PROCESSING_ID", "P" if PRODUCTION else "T", ("P", "T", "D"))
CVMS_HL7_MLLP_HOST = env_str("CVMS_HL7_MLLP_HOST", "").strip()
CVMS_HL7_MLLP_PORT = env_int("CVMS_HL7_MLLP_PORT", 2575, minimum=1, maximum=65535)
# Seconds to connect, and then to get the acknowledgement once the message is sent.
CVMS_HL7_MLLP_TIMEOUT = env_float("CVMS_HL7_MLLP_TIMEOUT", 30.0, minimum=0.1)
# Sending (cvms.reporting.vxu_send): a message the registry did not accept (AR, no answer, a dropped
# connection) is tried again after RETRY_BASE_SECONDS, doubled at each attempt, at most
# RETRY_MAX_ATTEMPTS times in all, then marked failed (or rejected) for state staff. A message a
# worker took and never finished (the worker died) is taken again after RETRY_GRACE_SECONDS.
CVMS_HL7_RETRY_BASE_SECONDS = env_int("CVMS_HL7_RETRY_BASE_SECONDS", 60, minimum=1)
CVMS_HL7_RETRY_MAX_ATTEMPTS = env_int("CVMS_HL7_RETRY_MAX_ATTEMPTS", 8, minimum=1, maximum=50)
CVMS_HL7_RETRY_GRACE_SECONDS = env_int("CVMS_HL7_RETRY_GRACE_SECONDS", 300, minimum=30)

# Reporting (CVRS): the CDC CVRS extract. Beat makes the previous day's extract at this time of day
# (HH:MM in CELERY_TIMEZONE, UTC: 06:00 is 01:00 or 02:00 Eastern, before CDC's noon deadline), every
# day, weekends included; the files (at most this many records each, CDC's cap is 200,000) are kept
# in this folder of the private file storage and named with the submitting entity's three-letter code.
CVMS_CVRS_EXTRACT_AT = env_pattern("CVMS_CVRS_EXTRACT_AT", "06:00", r"([01][0-9]|2[0-3]):[0-5][0-9]",
                                   "a time of day as HH:MM (24-hour)")
CVMS_CVRS_TYPE = env_choice("CVMS_CVRS_TYPE", "redacted", ("redacted", "identified"))
CVMS_CVRS_SUBMITTER_CODE = env_pattern("CVMS_CVRS_SUBMITTER_CODE", "NCA", r"[A-Z0-9]{3}",
                                       "the three-character submitting entity code (capital letters and digits)")
CVMS_CVRS_RECORDS_PER_FILE = env_int("CVMS_CVRS_RECORDS_PER_FILE", 200_000, minimum=1, maximum=200_000)
CVMS_CVRS_FOLDER = env_pattern("CVMS_CVRS_FOLDER", "cvrs", r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*",
                               "a relative folder name (letters, digits, - and _, parts split by /)")

# --- Applications
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    # Domain core
    "cvms.core",
    "cvms.accounts",
    "cvms.registry",  # migration history of the models now in the domain apps below
    "cvms.organizations",
    "cvms.recipients",
    "cvms.inventory",
    "cvms.immunizations",
    "cvms.reporting",
    "cvms.dashboards",
    "cvms.appointments",
    "cvms.eligibility",
    "cvms.uploads",
    "cvms.vaccines_gov",
    "cvms.health_cards",
    "cvms.api",
    "cvms.demo",
    # Portals
    "enrollment",
    "provider_portal",
    "recipient_portal",
    "organization_portal",
    "helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store, private on every answer to a signed-in person or to credentials.
    "cvms.core.middleware.PrivateResponsesMiddleware",
    # A signed-in user's preferred language, and the language a sign-in or an emailed link applies.
    "cvms.accounts.language.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cvms.accounts.middleware.SignInMiddleware",
    # A temporary password is replaced by a permanent one before anything else.
    "cvms.accounts.middleware.PermanentPasswordMiddleware",
]

if PRODUCTION:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "cvms.urls"
WSGI_APPLICATION = "cvms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cvms.core.context_processors.jurisdiction",
                "cvms.core.context_processors.downtime",
                "cvms.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database and cache
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://cvms@127.0.0.1:5433/cvms"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("CVMS runs on PostgreSQL only: DATABASE_URL must be postgres://...")

# Tests use their own Redis database and Celery queue, so a running development worker never
# takes a test's task.
REDIS_URL = env_str("REDIS_URL", f"redis://127.0.0.1:6380/{1 if CVMS_ENV == 'test' else 0}")
# Redis may go away: every client (cache, health, task publishing) gives up after these many
# seconds, and after a failure leaves Redis alone for REDIS_RETRY_AFTER seconds. The cache then
# answers as a miss, rate limits let requests through, and tasks wait in the outbox.
REDIS_CONNECT_TIMEOUT = env_float("REDIS_CONNECT_TIMEOUT", 0.5, minimum=0.01)
REDIS_READ_TIMEOUT = env_float("REDIS_READ_TIMEOUT", 1.0, minimum=0.01)
REDIS_RETRY_AFTER = env_float("REDIS_RETRY_AFTER", 10.0)
CACHES = {
    "default": {
        "BACKEND": "cvms.core.cache.FailSafeRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cvms"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts: email login via django-allauth
AUTH_USER_MODEL = "accounts.User"
# One backend: every authenticate() (sign-in page, admin, API Basic) passes the lockout there.
AUTHENTICATION_BACKENDS = ["cvms.accounts.backends.SignInBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Checks nothing: Django tells it of every new password stored, which lifts a sign-in pause.
    {"NAME": "cvms.accounts.lockout.NewPasswordLiftsPause"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "cvms.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_FORMS = {
    "login": "cvms.accounts.forms.LoginForm",
    "signup": "cvms.accounts.forms.SignupForm",
    "add_email": "cvms.accounts.forms.AddEmailForm",
    "reset_password": "cvms.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "cvms.accounts.forms.ResetPasswordKeyForm",
    "change_password": "cvms.accounts.forms.ChangePasswordForm",
}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_choice("ACCOUNT_EMAIL_VERIFICATION", "mandatory", ("mandatory", "optional", "none"))
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Sign-in lockout (cvms.accounts.lockout), counted in PostgreSQL for every way in: failures per
# login pause that login; failures per client address pause that address for everyone who has
# not signed in from it before, so made-up logins cannot lock a clinic's staff out.
CVMS_SIGNIN_FAILURES_PER_LOGIN = env_int("CVMS_SIGNIN_FAILURES_PER_LOGIN", 5, minimum=1)
CVMS_SIGNIN_FAILURES_PER_ADDRESS = env_int("CVMS_SIGNIN_FAILURES_PER_ADDRESS", 200, minimum=1)
CVMS_SIGNIN_PAUSE_MINUTES = env_int("CVMS_SIGNIN_PAUSE_MINUTES", 15, minimum=1)
# A browser someone signed in from (its device cookie, cvms.accounts.devices) has a budget of its
# own for their account, so a pause others cause does not lock them out there.
CVMS_SIGNIN_FAILURES_PER_DEVICE = env_int("CVMS_SIGNIN_FAILURES_PER_DEVICE", 5, minimum=1)
if os.environ.get("LOGIN_FAILED_LIMIT"):
    raise ImproperlyConfigured("LOGIN_FAILED_LIMIT is no longer read: set CVMS_SIGNIN_FAILURES_PER_LOGIN, "
                               "CVMS_SIGNIN_FAILURES_PER_ADDRESS and CVMS_SIGNIN_PAUSE_MINUTES instead.")
# Proxies in front of the server that append to X-Forwarded-For (0: none, the client's address is
# REMOTE_ADDR and the header is ignored). Used by the lockout, allauth's rate limits and the API's
# throttles alike (cvms.core.client_ip).
CVMS_TRUSTED_PROXY_COUNT = env_int("CVMS_TRUSTED_PROXY_COUNT", 0, minimum=0)
# allauth's own counters live in the cache; sign-in is counted by the lockout above instead, so
# "login" and "login_failed" are off: a sign-in never waits on a cache lock shared by everyone
# behind one address (that wait answered 429 to busy clinics).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "",
    "login": "",
    "signup": "50/h/ip",
    "reset_password": "20/h/ip,5/h/key",
    "confirm_email": "5/3m/key",
}

# --- Email: SMTP in production; in development every email is kept in .var/mail and readable
# at /dev/mail/ (see README).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "cvms.core.mail.MailboxBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Vaccine Management System <cvms@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CVMS_MAILBOX_DIR = Path(env_str("CVMS_MAILBOX_DIR", str(BASE_DIR / ".var" / "mail")))
# --- Text messages: the backend class (``cvms.core.sms``); the development one logs each message
# and keeps it in CVMS_SMS_DIR.
CVMS_SMS_BACKEND = env_str("CVMS_SMS_BACKEND", "cvms.core.sms.DevelopmentSmsBackend")
CVMS_SMS_DIR = Path(env_str("CVMS_SMS_DIR", str(BASE_DIR / ".var" / "sms")))

# --- Celery (Redis broker)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60, minimum=1)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be less than CELERY_TASK_TIME_LIMIT, so a task "
                               "can clean up before it is killed.")
# Tasks run in the web request that queues them: development only. Production's work goes through
# the outbox to a worker, with its time limits and retries.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
if PRODUCTION and CELERY_TASK_ALWAYS_EAGER:
    raise ImproperlyConfigured("CELERY_TASK_ALWAYS_EAGER must be off in production: tasks run in a worker.")
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "cvms-test" if CVMS_ENV == "test" else "cvms")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
CELERY_RESULT_EXPIRES = 24 * 3600
# Nothing reads task results; storing them would make every publish wait on the result store.
CELERY_TASK_IGNORE_RESULT = True
# Tasks are recorded in PostgreSQL with the work that needs them (cvms.core.outbox); rows not
# published at commit are published by the relay, and sent rows are kept this many days.
CVMS_OUTBOX_KEEP_DAYS = env_int("CVMS_OUTBOX_KEEP_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "cvms.core.tasks.heartbeat", "schedule": 60.0},
    "relay-outbox": {"task": "cvms.core.tasks.relay_outbox", "schedule": 60.0},
    "resume-stalled-uploads": {"task": "cvms.uploads.tasks.resume_stalled_uploads", "schedule": 60.0},
    "queue-due-welcome-emails": {"task": "cvms.recipients.tasks.queue_due_welcome_emails", "schedule": 60.0},
    "requeue-welcome-emails": {"task": "cvms.recipients.tasks.requeue_welcome_emails", "schedule": 300.0},
    "prune-sign-in-records": {"task": "cvms.accounts.tasks.prune_signin_records", "schedule": 3600.0},
    "vaccines-gov-daily-file": {
        "task": "cvms.vaccines_gov.tasks.write_daily_file",
        "schedule": crontab(hour=int(CVMS_VACCINES_GOV_EXPORT_AT[:2]), minute=int(CVMS_VACCINES_GOV_EXPORT_AT[3:])),
    },
    "appointment-day-before-reminders": {
        "task": "cvms.appointments.tasks.send_day_before_reminders",
        "schedule": crontab(hour=int(CVMS_REMINDERS_AT[:2]), minute=int(CVMS_REMINDERS_AT[3:])),
    },
    "appointment-dose-reminders": {
        "task": "cvms.appointments.tasks.send_dose_reminders",
        "schedule": crontab(hour=int(CVMS_REMINDERS_AT[:2]), minute=int(CVMS_REMINDERS_AT[3:])),
    },
    "send-due-vxu-submissions": {"task": "cvms.reporting.vxu_tasks.send_due_vxu_submissions", "schedule": 60.0},
    "compact-dashboard-rollups": {"task": "cvms.dashboards.tasks.compact_dashboard_rollups", "schedule": 60.0},
    "cvrs-daily-extract": {
        "task": "cvms.reporting.cvrs_tasks.make_daily_extract",
        "schedule": crontab(hour=int(CVMS_CVRS_EXTRACT_AT[:2]), minute=int(CVMS_CVRS_EXTRACT_AT[3:])),
    },
}
# Task modules not named tasks.py, which Celery finds on its own.
CELERY_IMPORTS = ("cvms.reporting.cvrs_tasks", "cvms.reporting.vxu_tasks")
CELERY_TIMEZONE = "UTC"

# --- REST API
REST_FRAMEWORK = {
    # Basic first: its WWW-Authenticate challenge makes an anonymous call answer 401, not 403.
    # A token (POST /api/v1/tokens/) spares a busy client a password hash on every call.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cvms.api.authentication.LockoutBasicAuthentication",
        "cvms.api.authentication.ApiTokenAuthentication",
        "cvms.api.authentication.ApiSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Keyed by cvms.core.client_ip, as the lockout and allauth are; NUM_PROXIES only for any
    # other throttle that reads Django REST framework's own rule.
    "DEFAULT_THROTTLE_CLASSES": ["cvms.api.throttling.AnonThrottle", "cvms.api.throttling.UserThrottle"],
    "NUM_PROXIES": CVMS_TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "user": env_rate("API_USER_RATE", "600/min"),
        "anon": env_rate("API_ANON_RATE", "6000/min" if CVMS_ENV == "test" else "60/min"),
    },
}
# API tokens (django-rest-knox): hashed at rest, each expires this many hours after it is issued.
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 12, minimum=1, maximum=24 * 90)
REST_KNOX = {"TOKEN_TTL": datetime.timedelta(hours=API_TOKEN_HOURS), "AUTO_REFRESH": False,
             "AUTH_HEADER_PREFIX": "Token"}
SPECTACULAR_SETTINGS = {
    "TITLE": "CVMS API",
    "DESCRIPTION": "COVID-19 Vaccine Management System API. Every object is scoped to the caller's memberships.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Internationalization: English and Spanish ship.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_TZ = True

# --- Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".var" / "media")))
STORAGES = {
    # Uploaded files hold personal data: nothing serves them at a URL; people download them
    # through views that check who asks (see cvms.core.storage).
    "default": {"BACKEND": "cvms.core.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Admin import and export (django-import-export): CSV and XLSX whose cells never carry a formula.
IMPORT_EXPORT_FORMATS = export_formats_list
# A file over CVMS_UPLOAD_MAX_BYTES is counted, never stored (see cvms.core.uploadhandlers).
FILE_UPLOAD_HANDLERS = [
    "cvms.core.uploadhandlers.SizeCapUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- SMART Health Cards (proof of vaccination, cvms/health_cards): the issuer (its keys are at
# <issuer>/.well-known/jwks.json, so by default the site's own address); the ES256 signing key as a
# private JWK or PEM, or a file holding one (development makes one under .var/ when neither is set;
# in production `manage.py check` fails without one, or with an issuer that is not https); retired
# public keys still published so older cards verify; other issuers a verifier trusts (a JSON
# object: issuer URL -> key set or key set file).
CVMS_SHC_ISSUER = env_pattern("CVMS_SHC_ISSUER", SITE_URL, r"https?://[^\s/]+(/\S*[^/\s])?",
                              "a web address with no trailing slash")
CVMS_SHC_SIGNING_KEY = env_str("CVMS_SHC_SIGNING_KEY", "").strip()
CVMS_SHC_KEY_FILE = env_str("CVMS_SHC_KEY_FILE", "").strip()
CVMS_SHC_PREVIOUS_KEYS = env_str("CVMS_SHC_PREVIOUS_KEYS", "").strip()
CVMS_SHC_TRUSTED_ISSUERS = env_str("CVMS_SHC_TRUSTED_ISSUERS", "").strip()
# Cards one client address may check on the public verify page (each check verifies signatures):
# a burst a minute and a sustained number an hour, counted in the cache.
CVMS_VERIFY_CHECKS_PER_MINUTE = env_int("CVMS_VERIFY_CHECKS_PER_MINUTE", 1000 if CVMS_ENV == "test" else 20, minimum=1)
CVMS_VERIFY_CHECKS_PER_HOUR = env_int("CVMS_VERIFY_CHECKS_PER_HOUR", 10000 if CVMS_ENV == "test" else 300, minimum=1)
# Knowledge base suggestions while a description is typed: lookups one client address may make in a
# minute (counted in the cache), and how long one query's answer is kept.
CVMS_KB_SUGGESTIONS_PER_MINUTE = env_int("CVMS_KB_SUGGESTIONS_PER_MINUTE", 60, minimum=1)
CVMS_KB_SUGGEST_CACHE_SECONDS = env_int("CVMS_KB_SUGGEST_CACHE_SECONDS", 60, minimum=1, maximum=3600)

# --- Security
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "cvms.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

if CVMS_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    CVMS_MAILBOX_DIR = Path(env_str("CVMS_MAILBOX_DIR", str(BASE_DIR / ".var" / "test-mail")))
    CVMS_SMS_DIR = Path(env_str("CVMS_SMS_DIR", str(BASE_DIR / ".var" / "test-sms")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
