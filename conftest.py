"""Named actors shared by every test: two tenants (A and B) and the people around them."""

import os
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.accounts.tests.factories import PASSWORD, UserFactory
from cvms.organizations import choices as c
from cvms.organizations.tests.factories import LocationFactory, OrganizationFactory
from cvms.recipients.tests.factories import RecipientFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the same
# thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


#: The longest tests, started first so that side by side processes end together: the last test to
#: start is a short one, never a two-minute walk through every portal.
LONG_FIRST = ("tests/browser/test_walkthrough.py", "tests/browser/")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    def rank(item):
        path = item.nodeid.split("::")[0]
        return next((i for i, prefix in enumerate(LONG_FIRST) if path.startswith(prefix)), len(LONG_FIRST))

    items.sort(key=rank)  # stable: the order within each rank is kept


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Under ``pytest -n N`` each worker starts with a Redis database, a Celery queue and a share
    of ``CVMS_TEST_EXTRA_PORTS`` of its own (``tests/parallel.py``); its PostgreSQL database is
    pytest-django's ``test_<name>_gw<N>``."""
    from django.conf import settings

    from tests.parallel import worker_environment

    for index, spec in enumerate(specs):
        spec.env.update(worker_environment(index, len(specs), environ=os.environ, redis_url=settings.REDIS_URL,
                                           queue=settings.CELERY_TASK_DEFAULT_QUEUE))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from django.conf import settings

    from tests.database import NO_WAIT_AT_COMMIT

    settings.DATABASES["default"].setdefault("OPTIONS", {})["options"] = NO_WAIT_AT_COMMIT


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, quick to commit to and to empty (``tests/database.py``)."""
    from django.db import connection

    from tests.database import commits_without_waiting, flush_by_delete
    from tests.tenants import tenants_release

    with django_db_blocker.unblock():
        commits_without_waiting(connection)
    flush_by_delete()
    yield
    with django_db_blocker.unblock():
        tenants_release()


@pytest.fixture
def _tenants_kept(request, django_db_setup, django_db_blocker, queued_tasks):
    """The tenants this test asks for, kept from the test before when it asked for the same ones
    (``tests/tenants.py``); set up before the test's own transaction opens."""
    from tests.tenants import tenants_prepare

    with django_db_blocker.unblock():
        tenants_prepare(request, make_tenant)


@pytest.fixture
def _django_db_helper(_tenants_kept, _django_db_helper):
    """pytest-django's per-test transaction (or flush), opened once the kept tenants are ready."""
    return _django_db_helper


@pytest.fixture(autouse=True)
def _redis_breakers_closed():
    """A test that makes Redis fail leaves no open breaker behind for the next."""
    yield
    from cvms.core.breaker import breakers_reset

    breakers_reset()


@pytest.fixture(autouse=True)
def _no_downtime_banner_left_behind():
    """Every test starts as a site with no downtime notice whose banner list is cached (so pages'
    query counts hold), and leaves no cached list of its own notices behind for the next."""
    from contextlib import suppress

    from django.core.cache import cache

    from cvms.core.cache import REDIS_DOWN
    from cvms.core.downtime import downtime_cache_key

    with suppress(*REDIS_DOWN):
        cache.set(downtime_cache_key(), [], 300)
    yield
    with suppress(*REDIS_DOWN):
        cache.delete(downtime_cache_key())


@pytest.fixture(scope="session", autouse=True)
def _test_mailbox(tmp_path_factory):
    """Each run gets an empty development mailbox of its own; the workers it starts write there too."""
    from django.conf import settings

    folder = tmp_path_factory.mktemp("mailbox")
    settings.CVMS_MAILBOX_DIR = folder
    os.environ["CVMS_MAILBOX_DIR"] = str(folder)
    return folder


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request served in Spanish leaves Spanish active in the thread; the next test starts in English."""
    yield
    from django.utils import translation

    translation.activate("en")


#: Lots whose on-hand figure is not the sum of their ledger (none, ever).
_LEDGER_DISAGREES = """
SELECT lot.id, lot.on_hand, COALESCE(SUM(entry.quantity), 0) FROM registry_inventorylot lot
LEFT JOIN registry_stockledgerentry entry ON entry.lot_id = lot.id
GROUP BY lot.id HAVING lot.on_hand <> COALESCE(SUM(entry.quantity), 0)
"""


@pytest.fixture(autouse=True)
def _ledger_agrees_with_on_hand(request):
    """After every test that used the database, each lot's on-hand figure is the sum of its ledger
    (issue 10: "the ledger and the on-hand figures agree in every test")."""
    uses = [name for name in ("db", "transactional_db") if name in request.fixturenames]
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and not uses:
        uses = ["transactional_db" if marker.kwargs.get("transaction") else "db"]
    if not uses:
        yield
        return
    request.getfixturevalue(uses[-1])  # set up first, so the check below runs before its teardown
    yield
    from django.db import connection

    if connection.in_atomic_block and connection.needs_rollback:
        return  # the test left its transaction broken on purpose; its rollback discards it
    with connection.cursor() as cursor:
        cursor.execute(_LEDGER_DISAGREES)
        disagreeing = cursor.fetchall()
    assert not disagreeing, f"on hand differs from the ledger (lot, on hand, ledger): {disagreeing}"


@dataclass
class Tenant:
    organization: object
    location: object
    other_location: object
    employer: object
    manager: object
    coordinator: object
    vaccinator: object
    front_desk: object
    org_admin: object
    employer_coordinator: object
    recipient: object
    recipient_user: object
    upload: object = None


def make_tenant(tag: str) -> Tenant:
    org = OrganizationFactory(name=f"Health System {tag}")
    location = LocationFactory(organization=org, name=f"Clinic {tag}1")
    other_location = LocationFactory(organization=org, name=f"Clinic {tag}2")
    employer = OrganizationFactory(name=f"Employer {tag}", kind=c.OrganizationKind.EMPLOYER)

    def person(role, slug, **scope):
        user = UserFactory(email=f"{slug}.{tag.lower()}@example.com", first_name=slug.title(), last_name=tag)
        membership_grant(user=user, role=role, **scope)
        return user

    recipient_user = person(Role.RECIPIENT, "recipient")
    recipient = RecipientFactory(first_name=f"Rita{tag}", last_name=f"Recipient{tag}", user=recipient_user,
                                 employer=employer, source_location=location)
    tenant = Tenant(
        organization=org, location=location, other_location=other_location, employer=employer,
        manager=person(Role.LOCATION_MANAGER, "manager", location=location),
        coordinator=person(Role.VACCINE_COORDINATOR, "coordinator", location=location),
        vaccinator=person(Role.VACCINATOR, "vaccinator", location=location),
        front_desk=person(Role.FRONT_DESK, "frontdesk", location=location),
        org_admin=person(Role.ORG_ADMIN, "orgadmin", organization=org),
        employer_coordinator=person(Role.ORG_COORDINATOR, "employer", organization=employer),
        recipient=recipient, recipient_user=recipient_user,
    )
    tenant.upload = _upload(tenant, tag)
    return tenant


def _upload(tenant, tag):
    """A finished upload with one failed row, so every upload page has something to show."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cvms.uploads.models import UploadChannel
    from cvms.uploads.services.intake import upload_create
    from cvms.uploads.services.processing import upload_process

    content = (f"FirstName,LastName,Date of birth,Email\nUp{tag},Loaded{tag},01/01/1990,up@example.com\n"
               "Bad,,1/1/1990,x\n")
    upload = upload_create(file=SimpleUploadedFile(f"staff-{tag}.csv", content.encode()), filename=f"staff-{tag}.csv",
                           channel=UploadChannel.BACKEND, location=tenant.location, uploaded_by=tenant.manager,
                           send_welcome=False)
    return upload_process(upload_id=upload.pk)


@pytest.fixture
def tenant_a(db):
    from tests.tenants import tenant_for_test

    return tenant_for_test("A", make_tenant)


@pytest.fixture
def tenant_b(db):
    from tests.tenants import tenant_for_test

    return tenant_for_test("B", make_tenant)


@pytest.fixture
def provider_a(tenant_a):
    """A Healthcare Location Manager at tenant A's first location."""
    return tenant_a.manager


@pytest.fixture
def provider_b(tenant_b):
    return tenant_b.manager


@pytest.fixture
def state_reviewer(db):
    user = UserFactory(email="reviewer@example.com")
    membership_grant(user=user, role=Role.STATE_STAFF)
    return user


@pytest.fixture
def agent(db):
    user = UserFactory(email="agent@example.com")
    membership_grant(user=user, role=Role.HELPDESK_AGENT)
    return user


@pytest.fixture
def outsider(db):
    """Signed in, verified, and holding no role anywhere."""
    return UserFactory(email="outsider@example.com")


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def reference_data(db):
    from cvms.inventory.reference import load_vaccine_products

    load_vaccine_products()


def publish_tasks_to(monkeypatch, url: str) -> None:
    """From here on the test process publishes tasks to the Redis at ``url``, the way production
    does. Celery builds its connection pools once, from the broker of the moment: they are built
    first, on the test broker, so the rest of the run keeps using that one."""
    from cvms.celery import app

    app.producer_pool  # noqa: B018
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # read before Celery's own settings


def database_url_for_tests() -> str:
    """The test database, for the processes a test starts (workers, a web server)."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def free_port() -> int:
    """A port nothing listens on, for a server a test starts: from ``CVMS_TEST_EXTRA_PORTS``
    (e.g. ``6409-6419``) when set, so runs side by side on one machine keep to their own range,
    else any the system offers."""
    import socket

    first, _, last = os.environ.get("CVMS_TEST_EXTRA_PORTS", "0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe:
            # A port a stopped server left in TIME_WAIT is free for the next (Redis and gunicorn bind
            # the way this probe does); one a server listens on is not.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"No free port in CVMS_TEST_EXTRA_PORTS={os.environ['CVMS_TEST_EXTRA_PORTS']}")


def start_celery_worker(name: str, *, broker_url: str | None = None, **extra_env):
    """Start a real Celery worker on the test database, Redis database and queue (or the Redis at
    ``broker_url``, for cache and broker alike); wait until it answers a ping. The caller stops it
    (``stop_celery_worker``) or kills it."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    from celery import Celery
    from django.conf import settings

    from cvms.celery import app

    if broker_url:
        extra_env.update(REDIS_URL=broker_url, CELERY_BROKER_URL=broker_url)
        app = Celery(broker=broker_url, set_as_current=False)  # only to ping the worker
    env = dict(os.environ, CVMS_ENV="test", DATABASE_URL=database_url_for_tests(), **extra_env)
    node = f"{name}-{os.getpid()}@{os.uname().nodename}"
    runner = os.environ.get("PYTEST_XDIST_WORKER", "main")  # pytest -n runs several side by side
    log = open(Path(settings.BASE_DIR) / ".var" / f"test-worker-{name}-{runner}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "cvms", "worker", "--pool=solo", "--loglevel=INFO",
         "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", node, "--without-heartbeat", "--without-mingle",
         "--without-gossip", "--include", "tests.worker_hooks"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    process.log, process.node = log, node
    deadline = time.monotonic() + 60
    # A connection of its own: kombu's shared pool may still hold one to an earlier server that
    # listened at the same address (a test's Redis on a port of the range, since stopped).
    try:
        with app.connection_for_write() as connection:
            while time.monotonic() < deadline:
                if app.control.ping(timeout=0.5, destination=[node], connection=connection):
                    return process
                if process.poll() is not None:
                    raise RuntimeError(f"The Celery worker exited; see {log.name}")
        raise RuntimeError(f"The Celery worker did not start in 60 s; see {log.name}")
    except BaseException:
        process.kill()  # a worker whose start failed must not outlive the test and take later runs' tasks
        process.wait()
        raise


_SESSION_WORKER: dict[str, str | None] = {"node": None}  # the session worker's node name, once started


def wait_for_idle_workers(timeout: float = 60) -> None:
    """Wait until the test queue is empty and the session worker runs no task."""
    import time

    from django.conf import settings

    from cvms.celery import app

    node = _SESSION_WORKER["node"]
    deadline = time.monotonic() + timeout
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        while time.monotonic() < deadline:
            waiting = channel.client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)
            # One worker to hear from: the reply comes as soon as it answers.
            active = app.control.inspect(timeout=1, destination=[node], limit=1).active() or {}
            if not waiting and active and not any(active.values()):
                return
            time.sleep(0.05)


@contextmanager
def other_workers_paused():
    """Workers already running stop taking tasks from the queue until the block ends, so a task
    queued inside it goes to a worker the block starts."""
    from django.conf import settings

    from cvms.celery import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    paused = [name for reply in app.control.cancel_consumer(queue, reply=True) for name in reply]
    try:
        yield
    finally:
        if paused:
            app.control.add_consumer(queue, destination=paused, reply=True)


def stop_celery_worker(process):
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    process.log.close()


@pytest.fixture
def tasks_sent():
    """Tasks this test queues go to Redis for a real worker (``celery_worker_process`` asks for it;
    so does a test that starts workers of its own)."""


@pytest.fixture(autouse=True)
def queued_tasks(request, monkeypatch):
    """Tasks a test queues are kept in this list, not sent (their outbox rows are marked sent),
    unless the test asks for ``tasks_sent``: the session worker would otherwise run them beside the
    test, on rows the test is still using and the flush after it is about to empty."""
    held = []
    if "tasks_sent" not in request.fixturenames:
        from celery.app.task import Task

        monkeypatch.setattr(Task, "apply_async",
                            lambda task, args=None, kwargs=None, **options: held.append((task.name, args, kwargs)))
    return held


@pytest.fixture(scope="session")
def _session_worker(django_db_setup, django_db_blocker):
    from cvms.celery import app

    app.control.purge()
    process = start_celery_worker("session")
    _SESSION_WORKER["node"] = process.node
    yield process
    _SESSION_WORKER["node"] = None
    stop_celery_worker(process)


@pytest.fixture
def celery_worker_process(_session_worker, tasks_sent):
    """A real Celery worker for the whole session (stale messages from earlier runs purged). After
    each test that uses it, wait until it has finished that test's tasks: the database is flushed
    next, and a task still writing would deadlock with the flush."""
    yield _session_worker
    wait_for_idle_workers()


# --- Local health departments (organization invitations)

def _health_department(county: str, slug: str):
    department = OrganizationFactory(name=f"{county} County Health Department", county=county,
                                     kind=c.OrganizationKind.LOCAL_HEALTH_DEPARTMENT)
    user = UserFactory(email=f"{slug}@example.com", first_name="Lee", last_name=county)
    membership_grant(user=user, role=Role.LHD_STAFF, organization=department)
    return user


@pytest.fixture
def lhd_wake(db):
    """Staff of the Wake County Health Department, which serves Wake County only."""
    return _health_department("Wake", "lhd.wake")


@pytest.fixture
def lhd_durham(db):
    """Staff of another county's health department (Durham)."""
    return _health_department("Durham", "lhd.durham")
