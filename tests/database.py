"""The test database, made cheap to empty and to commit to.

* A transactional test (``transaction=True``, every browser test) ends with Django's ``flush``:
  one ``TRUNCATE`` of every table. PostgreSQL truncates by giving each table and index new files
  and deleting the old ones, about 300 files here, which takes 1.5 to 2 seconds on this disk. The
  few rows a test leaves are deleted in milliseconds instead: the same tables end empty, under the
  same ``ACCESS EXCLUSIVE`` locks ``TRUNCATE`` takes (so a writer still running is waited for, as
  before), with triggers and foreign-key checks off for that one transaction, as ``TRUNCATE``
  has them (the stock ledger refuses ``DELETE``; it never sees this one).
* The test databases do not wait for the disk at each commit (``synchronous_commit = off``):
  what a test sees is the same, only a crash of the server could lose the last commits, and a
  test database is made again after a crash anyway.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

_truncate = DatabaseOperations.sql_flush


def _sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences or not tables or not _may_skip_triggers(self.connection):
        return _truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    names = [self.quote_name(table) for table in tables]
    return ["SET LOCAL session_replication_role = replica",
            f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE",
            *(f"DELETE FROM {name}" for name in names)]  # noqa: S608 (table names, quoted)


def _may_skip_triggers(connection) -> bool:
    """Whether the connection's role may turn triggers off (a superuser, as on ``make``'s servers)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def flush_by_delete() -> None:
    """From now on, this process's ``flush`` deletes rows instead of truncating tables."""
    DatabaseOperations.sql_flush = _sql_flush


#: Connection options of the test process: no wait for the disk at commit, from the migrations on.
NO_WAIT_AT_COMMIT = "-c synchronous_commit=off"


def commits_without_waiting(connection) -> None:
    """Every connection made to the test database from now on, by the test process or by a worker
    or server it starts, commits without waiting for the disk."""
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
