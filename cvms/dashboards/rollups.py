"""Keeping the rollups (``models.py``): the fold beat runs, and a rebuild from every dose for ops."""

import logging

from django.db import connection, transaction

from cvms.core.audit import audit_log
from cvms.dashboards.rollup_sql import FOLDS, REBUILD

logger = logging.getLogger(__name__)

#: The advisory lock one fold holds at a time (two would only wait on each other's rows).
FOLD_LOCK = 0x17D0A5


def rollups_compact() -> bool:
    """Fold each day with fresh rows into one row per key. False when another fold is running."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        if not cursor.fetchone()[0]:
            return False
        for sql in FOLDS:
            cursor.execute(sql)
    return True


def rollups_rebuild() -> int:
    """Empty the rollups and add every dose on record again (``manage.py dashboards_rollup_rebuild``),
    audited; the doses counted."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE registry_immunization, registry_recipient IN SHARE MODE")
        cursor.execute(REBUILD)
        cursor.execute("SELECT coalesce(sum(doses), 0) FROM dashboards_doserollup")
        doses = int(cursor.fetchone()[0])
        audit_log(integration="manage.py dashboards_rollup_rebuild", action="dashboards.rollups.rebuilt",
                  changes={"doses": doses})
    rollups_compact()
    logger.info("dashboard rollups rebuilt: %d doses", doses)
    return doses
