"""Admin changelists over a million recipients and a million audit entries: the recipient, audit
log and upload lists, plain, searched and filtered, as a help desk agent or state staff opens them.

Each row is the median time of the whole request (middleware, the list's queries, the page).
Target: under 300 ms each.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from bench.data import _indexes_dropped, seed_recipients
from bench.run import Result, median_of
from cvms.accounts.models import User
from cvms.organizations.choices import OrganizationKind, OrganizationStatus
from cvms.organizations.models import Location, Organization
from cvms.recipients.models import Recipient

RECIPIENTS = 1_000_000
AUDIT_ENTRIES = 1_000_000
#: A million recipients arrive in files of a few dozen rows on average.
UPLOADS = 20_000
FAILED_WELCOMES = 300
TARGET = "< 0.300 s"
ACTIONS = ["registry.recipient.created", "registry.recipient.bulk_created", "registry.recipient.removed",
           "registry.location.updated", "registry.stock.receive", "registry.immunization.recorded",
           "accounts.membership.granted", "accounts.user.created", "uploads.upload.received",
           "uploads.upload.completed", "enrollment.agreement.submitted", "enrollment.agreement.approved"]


def _seed(locations) -> None:
    seed_recipients(count=RECIPIENTS, locations=locations, shares=[3, 1])
    recipient_type = ContentType.objects.get_for_model(Recipient).pk
    with transaction.atomic(), connection.cursor() as cursor, _indexes_dropped(cursor, "core_auditlog"):
        cursor.execute(
            "INSERT INTO core_auditlog (at, actor_label, action, content_type_id, object_id, object_repr, changes) "
            "SELECT now() - make_interval(secs => g.n * 3), 'user' || mod(g.n, 5000) || '@example.com', "
            "(%s::text[])[mod(g.n, %s) + 1], %s, g.n::text, 'Person ' || g.n, '{}'::jsonb "
            "FROM generate_series(1, %s) AS g(n)",
            [ACTIONS, len(ACTIONS), recipient_type, AUDIT_ENTRIES])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO uploads_recipientupload (token, channel, status, location_id, uploaded_by_label, "
            "original_file, original_name, columns, send_welcome, total_rows, rows_done, checkpoint_line, attempts, "
            "created_count, failed_count, failed_file, error_message, created_at) "
            "SELECT gen_random_uuid(), 'high_volume', 'completed', (%s::bigint[])[mod(g.n, 2) + 1], "
            "'manager' || mod(g.n, 300) || '@example.com', '', 'staff-' || g.n || '.csv', '[]', true, 50, 50, 51, 1, "
            "48, 2, '', '', now() - make_interval(secs => g.n * 60) FROM generate_series(1, %s) AS g(n)",
            [[loc.pk for loc in locations], UPLOADS])
        cursor.execute("UPDATE registry_recipient SET welcome_email_status = 'failed', "
                       "welcome_email_failure = '[\"unreachable\", {}]' WHERE id IN "
                       "(SELECT id FROM registry_recipient ORDER BY random() LIMIT %s)", [FAILED_WELCOMES])
    with connection.cursor() as cursor:
        for table in ("core_auditlog", "uploads_recipientupload", "registry_recipient"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def run() -> list[Result]:
    try:
        return _measure()
    finally:
        # The next benchmarks seed the same synthetic people: leave them an empty table.
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE registry_recipient, core_auditlog, uploads_recipientupload CASCADE")


def _measure() -> list[Result]:
    org = Organization.objects.create(name="Bench Admin Health", kind=OrganizationKind.HEALTHCARE_PROVIDER,
                                      status=OrganizationStatus.ACTIVE)
    locations = [Location.objects.create(organization=org, name=f"Bench Admin Clinic {n}",
                                         provider_pin=f"NCA99980{n}", is_active=True) for n in (1, 2)]
    _seed(locations)
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.create_superuser(email="bench-admin@example.com", password=None))
    pages = {
        "recipients": reverse("admin:recipients_recipient_changelist"),
        "audit log": reverse("admin:core_auditlog_changelist"),
        "uploads": reverse("admin:uploads_recipientupload_changelist"),
    }
    cases = [
        ("recipients", "plain", {}),
        ("recipients", "searched (a common name)", {"q": "smith"}),
        ("recipients", "searched (first and last name)", {"q": "mary goldsmith"}),
        ("recipients", "searched (portal username)", {"q": "mary.goldsmith@"}),
        ("recipients", "filtered (welcome email failed)", {"welcome_email_status__exact": "failed"}),
        ("recipients", "filtered, page 50", {"welcome_email_status__exact": "not_sent", "p": "50"}),
        ("audit log", "plain", {}),
        ("audit log", "searched (an actor)", {"q": "user42@example.com"}),
        ("audit log", "searched (an object)", {"q": "person 123456"}),
        ("audit log", "filtered (a rare action)", {"action": "enrollment.agreement.approved"}),
        ("audit log", "filtered (past 24 hours)", {"recent": "1"}),
        ("uploads", "plain", {}),
        ("uploads", "searched (a file name)", {"q": "staff-1234"}),
        ("uploads", "filtered (completed)", {"status__exact": "completed"}),
    ]
    results = []
    for page, how, params in cases:
        def load(page=page, params=params):
            response = client.get(pages[page], params)
            assert response.status_code == 200, (page, params, response.status_code)

        load()  # warm: the first request of a page compiles its templates
        results.append(Result(name=f"admin changelist: {page}, {how}",
                              volume=f"{RECIPIENTS:,} recipients, {AUDIT_ENTRIES:,} audit entries, "
                                     f"{UPLOADS:,} uploads",
                              seconds=median_of(5, load), target=TARGET))
    return results
