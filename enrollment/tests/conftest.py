import pytest

from cvms.accounts.tests.factories import UserFactory


@pytest.fixture
def eager(db, monkeypatch):
    """``eager()`` runs what the test queued on commit so far, and the tasks those callbacks queue
    run in the test (errors raised), so their emails land in ``mailoutbox``."""
    from celery.app.task import Task
    from django.db import connection

    monkeypatch.setattr(Task, "apply_async",
                        lambda task, args=None, kwargs=None, **options: task.apply(args, kwargs, throw=True))
    start = len(connection.run_on_commit)

    def run():
        while len(connection.run_on_commit) > start:
            _savepoints, callback, _robust = connection.run_on_commit.pop(start)
            callback()

    return run


@pytest.fixture
def new_admin(db):
    """Someone who signed up (verified email) and holds no role yet."""
    return UserFactory(email="new.admin@example.com", first_name="Nora", last_name="Admin")
