import logging

import pytest

from cvms.core.sms import sms_kept, sms_send


class RecordingBackend:
    sent = []

    def send_messages(self, messages):
        self.sent.extend(messages)
        return len(messages)


def test_development_backend_logs_and_keeps_a_text_with_the_number_as_digits(settings, tmp_path, caplog):
    settings.CVMS_SMS_DIR = tmp_path
    with caplog.at_level(logging.INFO, logger="cvms.core.sms"):
        assert sms_send(to="+1 (919) 555-0100", body="Your code is 123456") == 1
    [kept] = sms_kept()
    assert (kept["to"], kept["body"]) == ("19195550100", "Your code is 123456")
    assert "Your code is 123456" in caplog.text


def test_the_setting_names_the_backend_class(settings):
    settings.CVMS_SMS_BACKEND = f"{__name__}.RecordingBackend"
    RecordingBackend.sent = []
    sms_send(to="919-555-0100", body="Hola")
    assert [(m.to, m.body) for m in RecordingBackend.sent] == [("9195550100", "Hola")]


def test_nothing_kept_yet_reads_as_no_texts(settings, tmp_path):
    settings.CVMS_SMS_DIR = tmp_path / "none-yet"
    assert sms_kept() == []


@pytest.mark.parametrize("backend", ["cvms.core.sms.NoSuchBackend"])
def test_a_backend_that_does_not_exist_fails_loudly(settings, backend):
    settings.CVMS_SMS_BACKEND = backend
    with pytest.raises(ImportError):
        sms_send(to="9195550100", body="x")


def test_the_development_mailbox_shows_the_texts_kept(client, settings, tmp_path, db):
    from django.urls import reverse

    from cvms.accounts.tests.factories import UserFactory

    settings.DEBUG = True
    settings.CVMS_MAILBOX_DIR = tmp_path / "mail"
    settings.CVMS_SMS_DIR = tmp_path / "sms"
    settings.EMAIL_BACKEND = "cvms.core.mail.MailboxBackend"
    sms_send(to="9195550100", body="Your COVID-19 Vaccine Portal code is 123456.")
    client.force_login(UserFactory(email="developer@example.com", is_staff=True))
    listing = client.get(reverse("dev_mailbox")).content.decode()
    assert "Your COVID-19 Vaccine Portal code is 123456." in listing and "9195550100" in listing
