"""Recomputing everyone's group when state staff change the rules (a group's criteria or its
order): each recipient's stored answers are matched again, in the background, one bounded batch a
run (``CVMS_GROUP_RECOMPUTE_BATCH``, in order of the answers' ids, the next run queued while more
wait). A row that fails is logged and skipped, never holding up the others; a row answered again
while the run worked keeps its new answers' group. Each request is an audit entry, and its id
travels with its runs: a run whose request a newer one followed stops, since the newer request's
runs match everyone again under the newest rules (many edits in a row cost one full pass, not
many). Each move is audited with the request that caused it, and an open group that gained people
has its "your group is open" emails queued through ``cvms.eligibility.notices``, which emails each
person once per group, ever."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from cvms.core.audit import audit_log, audit_row
from cvms.core.models import AuditLog
from cvms.core.outbox import outbox_enqueue
from cvms.eligibility.models import EligibilityAnswers, VaccineGroup
from cvms.eligibility.services import Answers, age_on, group_matching, groups_with_criteria

log = logging.getLogger(__name__)

#: The system actor the audit log names for moves the recompute makes.
RECOMPUTE_ACTOR = "eligibility.recompute"
#: The audit action of a request to recompute (its entry's id names the request).
REQUESTED = "eligibility.groups.recompute_queued"


@dataclass(frozen=True)
class RecomputeRun:
    checked: int
    moved: int
    failed: int
    next_after_id: int | None  # the run queued next, or None when this was the last
    superseded: bool = False  # a newer request's runs do the rest


def groups_recompute_request(*, actor, group: VaccineGroup, reason: str) -> None:
    """State staff changed ``group``'s rules (``reason``: what they changed): audit who did, and
    recompute everyone's group once the change commits."""
    from cvms.eligibility.tasks import recompute_groups

    with transaction.atomic():
        entry = audit_log(actor=actor, action=REQUESTED, obj=group, changes={"reason": reason})
        outbox_enqueue(task=recompute_groups, args=[entry.pk, 0])


def groups_recompute_batch(*, request_id: int, after_id: int, batch: int | None = None) -> RecomputeRun:
    """For the request ``request_id`` (its audit entry), match again the answers with ids above
    ``after_id``, ``batch`` of them (the setting by default); move, audit and queue emails as the
    module says. Safe to run twice."""
    from cvms.eligibility.tasks import recompute_groups, send_group_opened_emails

    if _newer_request(request_id):
        return RecomputeRun(checked=0, moved=0, failed=0, next_after_id=None, superseded=True)
    batch = batch or settings.CVMS_GROUP_RECOMPUTE_BATCH
    groups = groups_with_criteria()
    today = timezone.localdate()
    with transaction.atomic():
        rows = list(EligibilityAnswers.objects.filter(pk__gt=after_id).select_related("recipient", "group")
                    .order_by("pk")[:batch])
        moves, failed = [], 0
        for row in rows:
            try:
                with transaction.atomic():
                    if (move := _regroup(row, groups, today)) is not None:
                        moves.append(move)
            except Exception:  # one bad row must not hold up the others: logged, and the run goes on
                failed += 1
                log.exception("Could not recompute the group of eligibility answers %s.", row.pk)
        AuditLog.objects.bulk_create(AuditLog(**audit_row(
            integration=RECOMPUTE_ACTOR, action="eligibility.answers.regrouped", obj=row.recipient,
            changes={"group": [old.order if old else None, new.order if new else None], "request": request_id}))
            for row, old, new in moves)
        for group_id in sorted({new.pk for _row, _old, new in moves if new is not None and new.is_open}):
            outbox_enqueue(task=send_group_opened_emails, args=[group_id])
        next_after_id = rows[-1].pk if len(rows) == batch else None
        if next_after_id is not None:
            outbox_enqueue(task=recompute_groups, args=[request_id, next_after_id])
    return RecomputeRun(checked=len(rows), moved=len(moves), failed=failed, next_after_id=next_after_id)


def _newer_request(request_id: int) -> bool:
    """Asked through the groups' own audit entries (few, indexed by object), not the whole log."""
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(VaccineGroup), action=REQUESTED,
                                   pk__gt=request_id).exists()


def _regroup(row: EligibilityAnswers, groups: list[VaccineGroup], today):
    """Move ``row`` to the group its answers find now; ``(row, old, new)`` when it moved."""
    answers = Answers(age=age_on(row.recipient.date_of_birth, today), industry=row.industry,
                      conditions=tuple(row.conditions), living_setting=row.living_setting)
    new = group_matching(groups, answers)
    if (new.pk if new else None) == row.group_id:
        return None
    # Conditional: answers saved again since they were read keep the group they found.
    if not EligibilityAnswers.objects.filter(pk=row.pk, answered_at=row.answered_at,
                                             group_id=row.group_id).update(group=new):
        return None
    return row, row.group, new
