"""Loaded only into the Celery workers the test suite starts (``celery worker --include``).

* Transactional tests flush the database after each test, and ``post_migrate`` then recreates
  the content types under new ids. A worker that outlives a test would otherwise write audit
  entries that point at content types that no longer exist.
* ``CVMS_TEST_DIE_AFTER_CHUNKS=N`` makes the worker kill itself (SIGKILL, no clean-up) the moment
  the N-th upload chunk commits, before anything that chunk queues is published: a crash mid-file
  at a known row, not at a moment a timer guessed.
"""

import os
import signal

from celery.signals import task_prerun


@task_prerun.connect
def _forget_content_types(**_kwargs):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _die_after_chunks(limit: int) -> None:
    from django.db import transaction

    from cvms.uploads.services import processing

    record_created = processing.recipients_record_created
    committed = 0

    def maybe_die():
        nonlocal committed
        committed += 1
        if committed >= limit:
            os.kill(os.getpid(), signal.SIGKILL)

    def record_created_then_die_on_commit(**kwargs):
        # Every chunk calls this in its transaction; a commit hook added first runs first.
        transaction.on_commit(maybe_die)
        record_created(**kwargs)

    processing.recipients_record_created = record_created_then_die_on_commit


if int(os.environ.get("CVMS_TEST_DIE_AFTER_CHUNKS", "0")):
    _die_after_chunks(int(os.environ["CVMS_TEST_DIE_AFTER_CHUNKS"]))
