"""'Your group is open' by text to the people of the group who chose texts, in their language, with
a link; a refused text is recorded on the claim and never sent again."""

import pytest
from django.core import mail

from cvms.core.tests.sms_backends import RecordingBackend
from cvms.eligibility.models import GroupOpenedEmail
from cvms.eligibility.notices import group_opened_emails_send
from cvms.eligibility.services import group_open
from cvms.eligibility.tests.helpers import make_group
from cvms.eligibility.tests.test_group_opening import _in_group
from cvms.recipients.choices import ContactPreference

TEXTS = {"contact_preference": ContactPreference.TEXT, "phone": "9195550100"}


@pytest.fixture
def teachers(db):
    mail.outbox.clear()
    return make_group(3, {"industries": ["education"]}, name="Group 3: Teachers")


@pytest.fixture(autouse=True)
def texts(settings):
    settings.CVMS_SMS_BACKEND = "cvms.core.tests.sms_backends.RecordingBackend"
    RecordingBackend.sent = []
    return RecordingBackend.sent


def test_the_people_who_chose_texts_are_texted_once_and_the_others_emailed(teachers, texts):
    _in_group(first_name="Ana")
    _in_group(first_name="Bea", **TEXTS)
    _in_group(first_name="Cal", contact_preference=ContactPreference.NONE, phone="9195550111")
    group_open(group=teachers, actor=None)
    assert group_opened_emails_send(group_id=teachers.pk) == 2
    assert group_opened_emails_send(group_id=teachers.pk) == 0
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    (text,) = texts
    assert text.to == "9195550100" and "Group 3: Teachers" in text.body and "/recipient/find-a-vaccine/" in text.body
    assert len(text.body) <= 160


def test_the_group_text_names_the_group_in_the_recipients_language(teachers, texts):
    teachers.name_es = "Grupo 3: Maestros"
    teachers.save(update_fields=["name_es"])
    _in_group(preferred_language="es", **TEXTS)
    group_open(group=teachers, actor=None)
    group_opened_emails_send(group_id=teachers.pk)
    assert "Grupo 3: Maestros" in texts[0].body


def test_a_refused_group_text_is_recorded_and_not_sent_again(teachers, settings):
    person = _in_group(**TEXTS)
    settings.CVMS_SMS_BACKEND = "cvms.core.tests.sms_backends.RefusingBackend"
    group_open(group=teachers, actor=None)
    assert group_opened_emails_send(group_id=teachers.pk) == 0
    assert GroupOpenedEmail.objects.get(recipient=person).failure.startswith("text not sent")
    settings.CVMS_SMS_BACKEND = "cvms.core.tests.sms_backends.RecordingBackend"
    assert group_opened_emails_send(group_id=teachers.pk) == 0
