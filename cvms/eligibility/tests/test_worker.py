"""A real Celery worker recomputes everyone's group after state staff change the rules, and the
people it moves into an open group get that group's email."""

from pathlib import Path

import pytest
from django.conf import settings

from cvms.appointments.tests.test_worker import _mail_to
from cvms.eligibility.choices import LivingSetting
from cvms.eligibility.models import EligibilityAnswers, GroupCriterion
from cvms.eligibility.regroup import groups_recompute_request
from cvms.eligibility.services import eligibility_answer
from cvms.eligibility.tests.helpers import make_group
from cvms.recipients.tests.factories import RecipientFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_moves_people_after_a_rule_change_and_emails_those_now_in_an_open_group(celery_worker_process,
                                                                                           state_reviewer):
    before = set(Path(settings.CVMS_MAILBOX_DIR).glob("*.eml"))
    seniors = make_group(2, {"min_age": 65}, name="Group 2: 65 and older", is_open=True)
    make_group(5, {"min_age": 16}, name="Group 5: Everyone")
    person = RecipientFactory(first_name="Rita", last_name="Regroup", email="rita.regroup@example.com")
    eligibility_answer(recipient=person, industry="", conditions=[], living_setting=LivingSetting.HOME, actor=None)

    GroupCriterion.objects.filter(group=seniors).update(min_age=30)
    groups_recompute_request(actor=state_reviewer, group=seniors, reason="criteria")

    (sent,) = _mail_to("rita.regroup@example.com", before)
    assert "Group 2: 65 and older is open" in sent
    assert EligibilityAnswers.objects.get(recipient=person).group == seniors
