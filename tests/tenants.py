"""Tenants A and B made once for the tests in a row that need the same ones, not once per test.

Making a tenant takes about 160 queries, and some 1,200 tests ask for one or both. A test that
does not commit runs inside a transaction that is rolled back at its end (pytest-django's
``TestCase``), so the tenants it asks for can be made in a transaction around it and kept for the
next tests that ask for the same tenants in the same order, the way Django's
``TestCase.setUpTestData`` keeps a class's data:

* each test gets its own deep copy of the ``Tenant`` objects (as ``setUpTestData`` gives), so a
  change made to one in Python never reaches the next test, and whatever a test writes is rolled
  back with its own transaction;
* a test that uses the database and asks for other tenants, for none, or commits
  (``transaction=True``, browser tests) has the kept transaction rolled back first, so it sees
  exactly the database it would have seen had its tenants been made for it alone.

The kept transaction belongs to the connection it was opened on. Django gives code that runs while
an event loop is running a connection of its own, and Playwright's sync API keeps one running once
the first browser test of a process starts it: from then on the tests see another connection. The
kept transaction is rolled back on the connection that holds it, never left open to block the rows
the next test makes.
"""

import copy

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

#: Fixture name -> the tenant's tag (``make_tenant``'s argument).
TENANT_FIXTURES = {"tenant_a": "A", "tenant_b": "B"}
#: What makes pytest-django run a test in a ``TransactionTestCase`` (it commits; nothing is rolled back).
_COMMITTING_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences",
                        "django_db_serialized_rollback"}


class _Kept:
    tags: tuple[str, ...] = ()
    tenants: dict = {}
    atomic = None
    #: The connection the kept transaction is open on.
    wrapper = None


def _commits(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
                               or marker.kwargs.get("serialized_rollback")):
        return True
    return bool(_COMMITTING_FIXTURES & set(request.fixturenames))


def tenants_prepare(request, make) -> None:
    """Before a test that uses the database opens its own transaction: keep open the tenants it
    asks for (making them with ``make(tag)`` if the kept ones differ), or none at all."""
    tags = tuple(TENANT_FIXTURES[name] for name in request.fixturenames if name in TENANT_FIXTURES)
    if not tags or _commits(request):
        tenants_release()
    elif tags != _Kept.tags or not _still_open():
        tenants_release()
        _open(tags, make)


def tenant_for_test(tag: str, make):
    """Tenant ``tag`` for the running test: a copy of the kept one, else one made now."""
    kept = _Kept.tenants.get(tag)
    return copy.deepcopy(kept) if kept is not None else make(tag)


def tenants_release() -> None:
    """Roll the kept tenants back (a test that closed the connection took them with it)."""
    atomic, wrapper = _Kept.atomic, _Kept.wrapper
    _Kept.atomic, _Kept.wrapper, _Kept.tags, _Kept.tenants = None, None, (), {}
    if atomic is None or not wrapper.in_atomic_block:
        return
    current = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = wrapper  # the atomic block ends on the connection it began on
    try:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    finally:
        connections[DEFAULT_DB_ALIAS] = current


def _still_open() -> bool:
    return (connections[DEFAULT_DB_ALIAS] is _Kept.wrapper and connection.in_atomic_block
            and connection.atomic_blocks[:1] == [_Kept.atomic]
            and not connection.needs_rollback and not connection.closed_in_transaction)


def _open(tags: tuple[str, ...], make) -> None:
    atomic = transaction.atomic()
    atomic._from_testcase = True  # a durable block inside a test opens, as it does under TestCase alone
    atomic.__enter__()
    try:
        tenants = {tag: make(tag) for tag in tags}
    except BaseException:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
        raise
    _Kept.tags, _Kept.tenants, _Kept.atomic = tags, tenants, atomic
    _Kept.wrapper = connections[DEFAULT_DB_ALIAS]
