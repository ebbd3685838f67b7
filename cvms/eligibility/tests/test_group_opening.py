"""Opening and closing a group: audited, a no-op when nothing changes; opening one emails, once
each and ever, the recipients whose group it is who chose email and have an address, in their
language, a bounded batch a run."""

import pytest
from django.core import mail

from cvms.appointments.tests.helpers import queued
from cvms.core.models import AuditLog
from cvms.eligibility.choices import LivingSetting
from cvms.eligibility.models import GroupOpenedEmail, VaccineGroup
from cvms.eligibility.notices import group_opened_emails_send
from cvms.eligibility.services import eligibility_answer, group_close, group_open
from cvms.eligibility.tests.helpers import make_group
from cvms.recipients.choices import ContactPreference
from cvms.recipients.tests.factories import RecipientFactory

TASK = "cvms.eligibility.tasks.send_group_opened_emails"


@pytest.fixture
def teachers(db):
    mail.outbox.clear()
    return make_group(3, {"industries": ["education"]}, name="Group 3: Teachers")


def _in_group(**recipient):
    person = RecipientFactory(**recipient)
    eligibility_answer(recipient=person, industry="education", conditions=[], living_setting=LivingSetting.HOME,
                       actor=None)
    return person


def test_opening_a_group_is_audited_and_queues_its_emails_once(teachers, state_reviewer):
    assert group_open(group=teachers, actor=state_reviewer)
    assert not group_open(group=teachers, actor=state_reviewer)
    stored = VaccineGroup.objects.get(pk=teachers.pk)
    assert stored.is_open and stored.opened_at is not None
    assert queued(TASK) == [[teachers.pk]]
    entry = AuditLog.objects.get(action="eligibility.group.opened")
    assert entry.actor == state_reviewer and entry.object_id == str(teachers.pk)


def test_closing_a_group_is_audited_and_emails_nobody(teachers, state_reviewer):
    group_open(group=teachers, actor=state_reviewer)
    assert group_close(group=teachers, actor=state_reviewer)
    assert not group_close(group=teachers, actor=state_reviewer)
    assert not VaccineGroup.objects.get(pk=teachers.pk).is_open
    assert AuditLog.objects.filter(action="eligibility.group.closed").count() == 1
    assert queued(TASK) == [[teachers.pk]]


def test_the_people_of_an_opened_group_are_emailed_once_each_in_their_language(teachers):
    _in_group(first_name="Ana")
    _in_group(first_name="Beto", preferred_language="es")
    group_open(group=teachers, actor=None)
    assert group_opened_emails_send(group_id=teachers.pk) == 2
    assert group_opened_emails_send(group_id=teachers.pk) == 0
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"ana@example.com", "beto@example.com"}
    assert "Group 3: Teachers is open" in by_address["ana@example.com"].subject
    assert "Grupo 3" in by_address["beto@example.com"].subject
    assert "/recipient/my-group/" in by_address["ana@example.com"].body


def test_a_group_closed_and_opened_again_emails_nobody_twice(teachers):
    _in_group(first_name="Ana")
    group_open(group=teachers, actor=None)
    group_opened_emails_send(group_id=teachers.pk)
    group_close(group=teachers, actor=None)
    group_open(group=teachers, actor=None)
    _in_group(first_name="Cleo")
    assert group_opened_emails_send(group_id=teachers.pk) == 1
    assert [m.to for m in mail.outbox] == [["ana@example.com"], ["cleo@example.com"]]


@pytest.mark.parametrize("change", [{"contact_preference": ContactPreference.TEXT},
                                    {"contact_preference": ContactPreference.NONE}, {"email": ""}])
def test_no_group_email_goes_to_people_who_chose_otherwise_or_have_no_address(teachers, change):
    _in_group(first_name="Dee", **change)
    group_open(group=teachers, actor=None)
    assert group_opened_emails_send(group_id=teachers.pk) == 0 and mail.outbox == []


def test_people_of_other_groups_and_of_a_closed_group_get_no_email(teachers):
    _in_group(first_name="Ana")
    assert group_opened_emails_send(group_id=teachers.pk) == 0
    others = make_group(9, {"min_age": 0}, is_open=True)
    RecipientFactory(first_name="Eve")
    assert group_opened_emails_send(group_id=others.pk) == 0 and mail.outbox == []


def test_a_run_sends_one_bounded_batch_and_queues_the_next(teachers):
    for name in ("Ana", "Bea", "Cal"):
        _in_group(first_name=name)
    group_open(group=teachers, actor=None)
    assert group_opened_emails_send(group_id=teachers.pk, batch=2) == 2
    assert queued(TASK) == [[teachers.pk], [teachers.pk]]
    assert group_opened_emails_send(group_id=teachers.pk, batch=2) == 1
    assert len(queued(TASK)) == 2 and len(mail.outbox) == 3
    assert GroupOpenedEmail.objects.filter(sent_at__isnull=False).count() == 3
