"""Find My Group: which group a recipient's answers put them in, recording those answers, and the
state opening and closing groups (opening one emails the people whose group it is)."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.core.outbox import outbox_enqueue
from cvms.eligibility.choices import LivingSetting, MedicalCondition
from cvms.eligibility.models import EligibilityAnswers, GroupCriterion, VaccineGroup
from cvms.recipients.choices import Industry


@dataclass(frozen=True)
class Answers:
    """What a person answered, with their age from the date of birth on file."""

    age: int
    industry: str = ""
    conditions: tuple[str, ...] = field(default_factory=tuple)
    living_setting: str = LivingSetting.HOME


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def criterion_matches(criterion: GroupCriterion, answers: Answers) -> bool:
    return ((criterion.min_age is None or answers.age >= criterion.min_age)
            and (criterion.max_age is None or answers.age <= criterion.max_age)
            and (not criterion.industries or answers.industry in criterion.industries)
            and (not criterion.conditions or bool(set(answers.conditions) & set(criterion.conditions)))
            and (not criterion.living_settings or answers.living_setting in criterion.living_settings))


def groups_with_criteria() -> list[VaccineGroup]:
    """Every group by order, its criteria fetched with it: what ``group_matching`` reads."""
    return list(VaccineGroup.objects.prefetch_related("criteria").order_by("order"))


def group_matching(groups: list[VaccineGroup], answers: Answers) -> VaccineGroup | None:
    """The first of ``groups`` (in order), open or not, one of whose criteria the answers match."""
    return next((g for g in groups if any(criterion_matches(c, answers) for c in g.criteria.all())), None)


def group_for(answers: Answers) -> VaccineGroup | None:
    return group_matching(groups_with_criteria(), answers)


def check_answers(*, industry: str, conditions: list[str], living_setting: str) -> None:
    if industry and industry not in Industry.values:
        raise ServiceError(_("Choose an industry from the list."), field="industry")
    if not set(conditions) <= set(MedicalCondition.values):
        raise ServiceError(_("Choose conditions from the list."), field="conditions")
    if living_setting not in LivingSetting.values:
        raise ServiceError(_("Choose where you live from the list."), field="living_setting")


def eligibility_answer(*, recipient, industry: str, conditions: list[str], living_setting: str,
                       actor) -> EligibilityAnswers:
    """Record ``recipient``'s answers (replacing earlier ones) and the group they find; audited."""
    check_answers(industry=industry, conditions=conditions, living_setting=living_setting)
    conditions = sorted(set(conditions))
    answers = Answers(age=age_on(recipient.date_of_birth, timezone.localdate()), industry=industry,
                      conditions=tuple(conditions), living_setting=living_setting)
    group = group_for(answers)
    fields = {"industry": industry, "conditions": conditions, "living_setting": living_setting, "group": group,
              "answered_at": timezone.now(), "answered_by": actor}
    with transaction.atomic():
        row, _created = EligibilityAnswers.objects.update_or_create(recipient=recipient, defaults=fields)
        audit_log(actor=actor, action="eligibility.answers.saved", obj=recipient, changes={
            "industry": industry, "conditions": conditions, "living_setting": living_setting,
            "group": group.order if group else None})
    return row


def group_open(*, group: VaccineGroup, actor) -> bool:
    """Open ``group`` for vaccination and email, once each, the recipients whose group it is.
    Returns False when it was open already (nothing changes, nobody is emailed)."""
    from cvms.eligibility.tasks import send_group_opened_emails

    now = timezone.now()
    with transaction.atomic():
        if not VaccineGroup.objects.filter(pk=group.pk, is_open=False).update(is_open=True, opened_at=now):
            return False
        audit_log(actor=actor, action="eligibility.group.opened", obj=group,
                  changes={"is_open": [False, True], "opened_at": now})
        outbox_enqueue(task=send_group_opened_emails, args=[group.pk])
    group.is_open, group.opened_at = True, now
    return True


def group_close(*, group: VaccineGroup, actor) -> bool:
    """Close ``group`` (its people are told nothing). Returns False when it was closed already."""
    with transaction.atomic():
        if not VaccineGroup.objects.filter(pk=group.pk, is_open=True).update(is_open=False):
            return False
        audit_log(actor=actor, action="eligibility.group.closed", obj=group, changes={"is_open": [True, False]})
    group.is_open = False
    return True
