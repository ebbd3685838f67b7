"""Find My Group's rules: the first group by order whose criteria match, open or not; every part a
criterion sets must match and any criterion of a group will do; the age comes from the date of
birth on file; the answers are checked, stored once per recipient and audited; the database
refuses criteria and answers that are not coded or make no sense."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.eligibility.choices import LivingSetting, MedicalCondition
from cvms.eligibility.models import EligibilityAnswers, GroupCriterion
from cvms.eligibility.services import Answers, age_on, eligibility_answer, group_for
from cvms.eligibility.tests.helpers import make_group, nc_groups
from cvms.recipients.choices import Industry
from cvms.recipients.tests.factories import RecipientFactory


@pytest.fixture
def groups(db):
    return {group.order: group for group in nc_groups()}


@pytest.mark.parametrize(("answers", "order"), [
    (Answers(age=40, industry=Industry.HEALTHCARE), 1),
    (Answers(age=90, living_setting=LivingSetting.LONG_TERM_CARE), 1),
    (Answers(age=70, industry=Industry.RETAIL), 2),
    (Answers(age=30, industry=Industry.RETAIL), 3),
    (Answers(age=30, conditions=(MedicalCondition.DIABETES,)), 4),
    (Answers(age=30, living_setting=LivingSetting.SHELTER), 4),
    (Answers(age=30, industry=Industry.OTHER), 5),
    (Answers(age=15, industry=Industry.RETAIL), None),
])
def test_the_first_group_by_order_whose_criteria_match_is_the_persons(groups, answers, order):
    found = group_for(answers)
    assert (found.order if found else None) == order


def test_a_group_not_open_yet_is_still_the_persons_group(groups):
    assert group_for(Answers(age=30)) == groups[5] and not groups[5].is_open


def test_every_part_a_criterion_sets_must_match(db):
    make_group(1, {"min_age": 50, "industries": [Industry.EDUCATION]})
    assert group_for(Answers(age=55, industry=Industry.RETAIL)) is None
    assert group_for(Answers(age=45, industry=Industry.EDUCATION)) is None
    assert group_for(Answers(age=55, industry=Industry.EDUCATION)).order == 1


def test_the_age_is_counted_from_the_date_of_birth_to_the_day():
    born = datetime.date(1956, 6, 15)
    assert age_on(born, datetime.date(2021, 6, 14)) == 64
    assert age_on(born, datetime.date(2021, 6, 15)) == 65


def test_answering_stores_the_answers_and_group_once_per_recipient_and_audits_them(groups):
    person = RecipientFactory(date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 30))
    eligibility_answer(recipient=person, industry=Industry.RETAIL, conditions=[], living_setting=LivingSetting.HOME,
                       actor=None)
    row = eligibility_answer(recipient=person, industry="", conditions=[MedicalCondition.CANCER],
                             living_setting=LivingSetting.HOME, actor=None)
    assert EligibilityAnswers.objects.get(recipient=person) == row and row.group == groups[4]
    entries = AuditLog.objects.filter(action="eligibility.answers.saved", object_id=str(person.pk))
    assert [e.changes["group"] for e in entries.order_by("pk")] == [3, 4]


def test_answering_an_old_person_uses_the_date_of_birth_on_file(groups):
    person = RecipientFactory(date_of_birth=datetime.date(1940, 1, 1))
    row = eligibility_answer(recipient=person, industry="", conditions=[], living_setting=LivingSetting.HOME,
                             actor=None)
    assert row.group == groups[2]


@pytest.mark.parametrize(("answers", "field"), [
    ({"industry": "astronaut"}, "industry"),
    ({"conditions": ["hiccups"]}, "conditions"),
    ({"living_setting": "castle"}, "living_setting"),
])
def test_answers_not_on_the_lists_are_refused_naming_the_field(groups, answers, field):
    person = RecipientFactory()
    with pytest.raises(ServiceError) as refusal:
        eligibility_answer(recipient=person, actor=None, **{"industry": "", "conditions": [],
                                                            "living_setting": LivingSetting.HOME, **answers})
    assert refusal.value.field == field and not EligibilityAnswers.objects.filter(recipient=person).exists()


@pytest.mark.parametrize("fields", [
    {"min_age": 70, "max_age": 60},
    {"min_age": 200},
    {"industries": ["astronaut"]},
    {"conditions": ["hiccups"]},
    {"living_settings": ["castle"]},
    {},
])
def test_the_database_refuses_a_criterion_that_is_not_coded_or_says_nothing(db, fields):
    group = make_group(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupCriterion.objects.create(group=group, **fields)


def test_the_database_refuses_an_open_group_with_no_opening_time(db):
    group = make_group(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(group).objects.filter(pk=group.pk).update(is_open=True)
