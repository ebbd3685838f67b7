"""The test harness itself: test processes side by side keep apart, and the database is emptied
after a transactional test as completely as Django's ``flush`` empties it, only faster."""

import asyncio
import datetime
import os
import socket
import subprocess
import sys
import threading

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from execnet import XSpec

from conftest import free_port, pytest_xdist_setupnodes
from cvms.accounts.models import User
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.models import Location, Organization
from cvms.organizations.tests.factories import OrganizationFactory
from tests.parallel import port_share, redis_database_moved
from tests.tenants import _open as _tenants_open
from tests.tenants import tenants_release


def _specs(count: int, environ: dict) -> list:
    specs = [XSpec("execmodel=main_thread_only//popen") for _ in range(count)]
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environ)
    try:
        pytest_xdist_setupnodes(config=None, specs=specs)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return specs


def test_each_parallel_test_process_gets_its_own_redis_database_queue_and_ports():
    first, second = (spec.env for spec in _specs(2, {"REDIS_URL": "redis://127.0.0.1:6380/1",
                                                     "CVMS_TEST_EXTRA_PORTS": "7440-7449"}))
    assert first["REDIS_URL"] == "redis://127.0.0.1:6380/1" and second["REDIS_URL"] == "redis://127.0.0.1:6380/2"
    assert first["CELERY_TASK_DEFAULT_QUEUE"] != second["CELERY_TASK_DEFAULT_QUEUE"]
    assert first["CELERY_TASK_DEFAULT_QUEUE"].startswith(settings.CELERY_TASK_DEFAULT_QUEUE)
    assert (first["CVMS_TEST_EXTRA_PORTS"], second["CVMS_TEST_EXTRA_PORTS"]) == ("7440-7444", "7445-7449")


def test_a_broker_named_on_its_own_moves_with_the_process_and_no_range_means_any_port():
    [only] = (spec.env for spec in _specs(1, {"REDIS_URL": "redis://127.0.0.1:6380/3",
                                              "CELERY_BROKER_URL": "redis://127.0.0.1:6390"}))
    assert only["REDIS_URL"] == "redis://127.0.0.1:6380/3" and only["CELERY_BROKER_URL"] == "redis://127.0.0.1:6390/0"
    assert "CVMS_TEST_EXTRA_PORTS" not in only and "CELERY_RESULT_BACKEND" not in only


def test_too_many_processes_for_the_ports_or_redis_databases_are_refused_by_name():
    with pytest.raises(ValueError, match="CVMS_TEST_EXTRA_PORTS=7440-7441 has fewer ports than the 3 test workers"):
        port_share("7440-7441", 0, 3)
    with pytest.raises(ValueError, match="past Redis's last default database"):
        redis_database_moved("redis://127.0.0.1:6380/14", 2)


def test_a_parallel_test_process_reads_its_own_redis_database_and_queue():
    [_, second] = (spec.env for spec in _specs(2, {"REDIS_URL": "redis://127.0.0.1:6380/1"}))
    code = ("from django.conf import settings as s; "
            "print(s.CACHES['default']['LOCATION'], s.CELERY_BROKER_URL, s.CELERY_TASK_DEFAULT_QUEUE)")
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code],  # noqa: S603
                            cwd=settings.BASE_DIR, env={**env, "CVMS_ENV": "test", **second},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [second["REDIS_URL"], second["REDIS_URL"], second["CELERY_TASK_DEFAULT_QUEUE"]]


def _rows_left() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return {table: count for table, count in counts.items() if count}


def _flush() -> None:
    """What Django does after every transactional test, without the post_migrate refill."""
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False,
                 inhibit_post_migrate=True)


@pytest.mark.django_db(transaction=True)
def test_the_flush_after_a_transactional_test_empties_every_table_ledger_included_without_truncating(tenant_a):
    lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FL0001",
                expiration_date=timezone.localdate() + datetime.timedelta(days=90), doses=10)
    assert {"registry_stockledgerentry", "registry_inventorylot", "django_content_type"} <= set(_rows_left())
    with CaptureQueriesContext(connection) as queries:
        _flush()
    assert _rows_left() == {}
    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("TRUNCATE")]
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")  # triggers are off for the flush's transaction only
        assert cursor.fetchone()[0] == "origin"


@pytest.mark.django_db(transaction=True)
def test_the_flush_waits_for_a_writer_still_in_its_transaction_and_leaves_nothing_of_it(outsider):
    writer = connections.create_connection("default")
    writer.set_autocommit(False)
    with writer.cursor() as cursor:
        cursor.execute(f"UPDATE {User._meta.db_table} SET first_name = 'Still writing' WHERE id = %s",  # noqa: S608
                       [outsider.pk])
    flushed = threading.Event()

    def flush():
        try:
            _flush()
        finally:
            connection.close()
            flushed.set()

    thread = threading.Thread(target=flush)
    thread.start()
    try:
        assert not flushed.wait(1), "the flush went ahead of a transaction that holds a row"
    finally:
        writer.commit()
        writer.close()
        thread.join(60)
    assert flushed.is_set() and _rows_left() == {}


@pytest.mark.django_db(transaction=True)
def test_the_test_database_commits_without_waiting_for_the_disk_in_every_connection():
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "off"
    # A connection made the way a worker or a server the tests start makes it, from DATABASE_URL.
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], host=db["HOST"], port=db["PORT"], user=db["USER"])
    try:
        with other.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "off"
    finally:
        other.close()



# Tenants kept from one test to the next (tests/tenants.py). These four run in this order.
_FIRST_TENANT = {}


def test_a_test_may_change_its_tenant_in_the_database_and_in_python(tenant_a):
    _FIRST_TENANT["organization"] = tenant_a.organization.pk
    Location.objects.filter(pk=tenant_a.location.pk).update(name="Renamed by a test")
    tenant_a.manager.first_name = "Changed in Python"


def test_the_next_test_asking_for_that_tenant_gets_it_unchanged_without_making_it_again(tenant_a, provider_a):
    assert tenant_a.organization.pk == _FIRST_TENANT.get("organization", tenant_a.organization.pk)
    assert Location.objects.get(pk=tenant_a.location.pk).name == tenant_a.location.name == "Clinic A1"
    assert provider_a is tenant_a.manager and provider_a.first_name == "Manager"


def test_a_test_using_the_database_without_tenants_sees_none(db):
    assert not Organization.objects.exists() and not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committing_test_after_kept_tenants_sees_none_and_really_commits(tenant_b):
    assert list(Organization.objects.values_list("name", flat=True).order_by("name")) == [
        "Employer B", "Health System B"]
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], host=db["HOST"], port=db["PORT"], user=db["USER"])
    try:
        with other.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {Organization._meta.db_table}")  # noqa: S608
            assert cursor.fetchone()[0] == 2
    finally:
        other.close()


def test_kept_tenants_are_rolled_back_on_their_connection_when_the_next_test_runs_in_another_context(
        django_db_blocker):
    """While Playwright's sync API runs, an event loop is running, and Django gives the tests after
    it starts a connection of their own: the kept transaction still ends on the connection it was
    opened on, so it holds no row the next test makes again (a deadlock that once stopped a test
    process for good)."""
    with django_db_blocker.unblock():
        tenants_release()
        _tenants_open(("X",), lambda tag: OrganizationFactory(name=f"Kept {tag}"))
        assert connection.in_atomic_block
        kept = connections["default"]
        loop = asyncio.new_event_loop()
        asyncio.events._set_running_loop(loop)  # as Playwright's sync API leaves it between its calls
        try:
            assert connections["default"] is not kept
            tenants_release()
        finally:
            asyncio.events._set_running_loop(None)
            loop.close()
        assert not connection.in_atomic_block
        assert not Organization.objects.filter(name="Kept X").exists()


def test_a_port_a_stopped_server_left_in_time_wait_is_free_and_a_listening_one_is_not(monkeypatch):
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Redis and gunicorn bind
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        monkeypatch.setenv("CVMS_TEST_EXTRA_PORTS", f"{port}-{port}")
        with pytest.raises(RuntimeError, match=f"No free port in CVMS_TEST_EXTRA_PORTS={port}-{port}"):
            free_port()
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the server's end closes first, so it waits in TIME_WAIT
        client.close()
    assert free_port() == port


def test_a_worker_on_a_redis_at_the_address_of_a_stopped_one_is_pinged_over_a_new_connection(tmp_path):
    """A later test's throwaway Redis may take the port an earlier one had: the ping that waits for
    its worker must not reuse a pooled connection to the server that is gone."""
    from celery import Celery

    from conftest import start_celery_worker, stop_celery_worker
    from tests.servers import RedisServer

    redis = RedisServer(tmp_path)
    redis.start()
    try:
        earlier = Celery(broker=redis.url, set_as_current=False)
        earlier.control.ping(timeout=0.2)  # leaves a connection to this server in kombu's pool
        redis.stop()
        redis.start()
        stop_celery_worker(start_celery_worker("same-address", broker_url=redis.url))
    finally:
        redis.stop()
