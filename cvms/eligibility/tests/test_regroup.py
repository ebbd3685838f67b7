"""When state staff change the rules, everyone's group is recomputed from their stored answers:
moves audited, one bounded batch a run with the next queued, a bad row logged and skipped, a row
answered again meanwhile left as answered, and people moved into an open group emailed once."""

import datetime
import logging

import pytest
from django.core import mail

from cvms.appointments.tests.helpers import queued
from cvms.core.models import AuditLog
from cvms.eligibility import regroup
from cvms.eligibility.choices import LivingSetting
from cvms.eligibility.models import EligibilityAnswers, GroupCriterion
from cvms.eligibility.notices import group_opened_emails_send
from cvms.eligibility.regroup import groups_recompute_batch, groups_recompute_request
from cvms.eligibility.services import eligibility_answer
from cvms.eligibility.tests.helpers import make_group
from cvms.recipients.tests.factories import RecipientFactory

RECOMPUTE = "cvms.eligibility.tasks.recompute_groups"
EMAILS = "cvms.eligibility.tasks.send_group_opened_emails"


@pytest.fixture
def groups(db):
    mail.outbox.clear()
    seniors = make_group(2, {"min_age": 65}, name="Group 2: 65 and older", is_open=True)
    teachers = make_group(3, {"industries": ["education"]}, name="Group 3: Teachers")
    everyone = make_group(5, {"min_age": 16}, name="Group 5: Everyone")
    return seniors, teachers, everyone


def _answered(first_name: str, *, born=datetime.date(1985, 3, 14), industry="education"):
    person = RecipientFactory(first_name=first_name, date_of_birth=born)
    eligibility_answer(recipient=person, industry=industry, conditions=[], living_setting=LivingSetting.HOME,
                       actor=None)
    return person


def _group_of(person):
    return EligibilityAnswers.objects.get(recipient=person).group


def test_a_rule_change_moves_the_people_it_concerns_and_audits_each_move(groups):
    seniors, teachers, everyone = groups
    ana, bo = _answered("Ana"), _answered("Bo", industry="")
    assert (_group_of(ana), _group_of(bo)) == (teachers, everyone)
    GroupCriterion.objects.filter(group=seniors).update(min_age=30)

    run = groups_recompute_batch(request_id=41, after_id=0)
    assert (run.checked, run.moved, run.failed, run.next_after_id) == (2, 2, 0, None)
    assert _group_of(ana) == seniors and _group_of(bo) == seniors
    moves = AuditLog.objects.filter(action="eligibility.answers.regrouped").order_by("object_id")
    assert [(m.object_id, m.changes, m.actor_label) for m in moves] == [
        (str(ana.pk), {"group": [3, 2], "request": 41}, "eligibility.recompute"),
        (str(bo.pk), {"group": [5, 2], "request": 41}, "eligibility.recompute")]


def test_a_new_order_puts_people_in_the_group_now_first(groups):
    seniors, teachers, everyone = groups
    ana = _answered("Ana")
    everyone.order = 1
    everyone.save(update_fields=["order"])
    groups_recompute_batch(request_id=0, after_id=0)
    assert _group_of(ana) == everyone


def test_nobody_whose_group_stays_is_touched_or_logged(groups):
    _seniors, teachers, _everyone = groups
    ana = _answered("Ana")
    run = groups_recompute_batch(request_id=0, after_id=0)
    assert run.moved == 0 and _group_of(ana) == teachers
    assert not AuditLog.objects.filter(action="eligibility.answers.regrouped").exists()
    assert queued(EMAILS) == []


def test_people_moved_into_an_open_group_are_emailed_once(groups):
    seniors, _teachers, _everyone = groups
    _answered("Ana")
    GroupCriterion.objects.filter(group=seniors).update(min_age=30)
    groups_recompute_batch(request_id=0, after_id=0)
    assert queued(EMAILS) == [[seniors.pk]]
    assert group_opened_emails_send(group_id=seniors.pk) == 1
    groups_recompute_batch(request_id=0, after_id=0)  # a second run moves nobody and emails nobody again
    assert group_opened_emails_send(group_id=seniors.pk) == 0
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    assert "Group 2: 65 and older is open" in mail.outbox[0].subject


def test_people_moved_into_a_closed_group_are_not_emailed(groups):
    _seniors, teachers, _everyone = groups
    _answered("Ana", industry="")
    GroupCriterion.objects.filter(group=teachers).update(industries=[], min_age=16)
    assert groups_recompute_batch(request_id=0, after_id=0).moved == 1
    assert queued(EMAILS) == []


def test_a_run_does_one_batch_and_queues_the_next_from_where_it_stopped(groups):
    seniors, _teachers, _everyone = groups
    people = [_answered(name) for name in ("Ana", "Bea", "Cal")]
    GroupCriterion.objects.filter(group=seniors).update(min_age=30)
    first = groups_recompute_batch(request_id=0, after_id=0, batch=2)
    last_id = EligibilityAnswers.objects.order_by("pk")[1].pk
    assert (first.checked, first.next_after_id) == (2, last_id) and queued(RECOMPUTE) == [[0, last_id]]
    second = groups_recompute_batch(request_id=0, after_id=last_id, batch=2)
    assert (second.checked, second.moved, second.next_after_id) == (1, 1, None)
    assert queued(RECOMPUTE) == [[0, last_id]]
    assert {_group_of(p) for p in people} == {seniors}


def test_one_bad_row_is_logged_and_skipped_and_the_others_move(groups, monkeypatch, caplog):
    seniors, _teachers, _everyone = groups
    ana, bea = _answered("Ana"), _answered("Bea", born=datetime.date(1980, 1, 2))
    GroupCriterion.objects.filter(group=seniors).update(min_age=30)
    matching = regroup.group_matching

    def broken_for_bea(groups, answers):
        if answers.age == _answered_age(bea):
            raise ValueError("a row the rules cannot read")
        return matching(groups, answers)

    monkeypatch.setattr(regroup, "group_matching", broken_for_bea)
    with caplog.at_level(logging.ERROR, logger="cvms.eligibility.regroup"):
        run = groups_recompute_batch(request_id=0, after_id=0)
    assert (run.moved, run.failed) == (1, 1)
    assert _group_of(ana) == seniors and _group_of(bea) != seniors
    assert f"eligibility answers {EligibilityAnswers.objects.get(recipient=bea).pk}" in caplog.text


def _answered_age(person):
    from django.utils import timezone

    from cvms.eligibility.services import age_on

    return age_on(person.date_of_birth, timezone.localdate())


def test_answers_saved_again_during_the_run_keep_the_group_they_found(groups, monkeypatch):
    seniors, _teachers, everyone = groups
    ana = _answered("Ana")
    GroupCriterion.objects.filter(group=seniors).update(min_age=30)
    matching = regroup.group_matching

    def ana_answers_again_meanwhile(groups, answers):
        found = matching(groups, answers)
        GroupCriterion.objects.filter(group=seniors).update(min_age=65)
        eligibility_answer(recipient=ana, industry="", conditions=[], living_setting=LivingSetting.HOME, actor=None)
        return found

    monkeypatch.setattr(regroup, "group_matching", ana_answers_again_meanwhile)
    assert groups_recompute_batch(request_id=0, after_id=0).moved == 0
    assert _group_of(ana) == everyone


def test_a_rule_change_is_audited_with_who_made_it_and_queues_a_recompute_from_the_start(groups, state_reviewer):
    seniors, _teachers, _everyone = groups
    groups_recompute_request(actor=state_reviewer, group=seniors, reason="criteria")
    entry = AuditLog.objects.get(action="eligibility.groups.recompute_queued")
    assert entry.actor == state_reviewer and entry.object_id == str(seniors.pk)
    assert entry.changes == {"reason": "criteria"}
    assert queued(RECOMPUTE) == [[entry.pk, 0]]


def test_the_task_retries_a_database_outage_a_bounded_number_of_times_and_a_bad_row_never():
    from cvms.eligibility.tasks import recompute_groups

    assert recompute_groups.max_retries == 3 and recompute_groups.acks_late
    assert recompute_groups.time_limit == 600


def test_a_run_of_an_earlier_request_stops_once_a_newer_one_was_made(groups, state_reviewer):
    seniors, teachers, _everyone = groups
    ana = _answered("Ana")
    groups_recompute_request(actor=state_reviewer, group=seniors, reason="criteria")
    GroupCriterion.objects.filter(group=seniors).update(min_age=30)
    groups_recompute_request(actor=state_reviewer, group=seniors, reason="criteria")
    (earlier, _), (newer, _) = queued(RECOMPUTE)
    assert groups_recompute_batch(request_id=earlier, after_id=0).superseded
    assert _group_of(ana) == teachers
    run = groups_recompute_batch(request_id=newer, after_id=0)
    assert not run.superseded and run.moved == 1 and _group_of(ana) == seniors
