"""A recipient's check-in code: signed, holding no personal details, refused clearly when changed,
expired, issued elsewhere or for a record that is gone."""

import datetime

import pytest
from django.core import signing
from django.test import override_settings

from cvms.recipients.checkin_code import (
    CheckInCodeRefused,
    checkin_code,
    checkin_code_png,
    checkin_code_svg,
    looks_like_checkin_code,
    recipient_for_checkin_code,
)
from cvms.recipients.tests.factories import RecipientFactory


@pytest.fixture
def person(db):
    return RecipientFactory(first_name="Ana", last_name="Walker", email="ana@example.com", phone="9195550100")


def test_a_code_opens_its_recipients_record(person):
    code = checkin_code(person)
    assert looks_like_checkin_code(code) and recipient_for_checkin_code(code) == person
    assert recipient_for_checkin_code(f"  {code}\n") == person  # a scanner's Enter


def test_a_code_holds_nothing_about_the_person(person):
    code = checkin_code(person).lower()
    assert not any(part in code for part in ("ana", "walker", "1985", "9195550100", "example"))


def test_a_changed_code_is_refused_clearly(person):
    code = checkin_code(person)
    number, issued, signature = code.removeprefix("CVMS-").split(".")
    forged = f"CVMS-{signing.b62_encode(signing.b62_decode(number) + 1)}.{issued}.{signature}"
    for bad in (forged, code[:-2], code + "x", "CVMS-", "CVMS-abc"):
        with pytest.raises(CheckInCodeRefused, match="was changed, or another system issued it"):
            recipient_for_checkin_code(bad)


def test_a_code_another_system_signed_is_refused(person):
    with override_settings(SECRET_KEY="another-system-" * 5):
        foreign = checkin_code(person)
    with pytest.raises(CheckInCodeRefused, match="another system issued it"):
        recipient_for_checkin_code(foreign)


def test_another_signed_value_is_not_a_code(person):
    from cvms.recipients.welcome import welcome_token

    person.portal_username = "ana@example.com.covid19vaccine"
    with pytest.raises(CheckInCodeRefused):
        recipient_for_checkin_code("CVMS-" + welcome_token(person))


def test_an_expired_code_says_when_it_expired(person, monkeypatch):
    code = checkin_code(person)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=400)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    with override_settings(CVMS_CHECKIN_CODE_DAYS=365), pytest.raises(CheckInCodeRefused, match="expired on"):
        recipient_for_checkin_code(code)


def test_the_code_of_a_removed_record_is_refused(person):
    code = checkin_code(person)
    person.delete()
    with pytest.raises(CheckInCodeRefused, match="No recipient has this check-in code"):
        recipient_for_checkin_code(code)


def test_names_dates_and_phones_are_not_codes():
    for text in ("smith", "3/14/1985", "919-555-0100", "ana@example.com", "cvms clinic"):
        assert not looks_like_checkin_code(text)


def test_the_qr_code_is_a_png_and_an_svg(person):
    code = checkin_code(person)
    assert checkin_code_png(code).startswith(b"\x89PNG")
    svg = checkin_code_svg(code, title="Check-in code")
    assert svg.startswith("<svg") and "<title>Check-in code</title>" in svg


def test_the_welcome_email_shows_the_check_in_qr_code(tenant_a, mailoutbox, monkeypatch):
    from cvms.recipients.choices import WelcomeEmailStatus
    from cvms.recipients.welcome import welcome_emails_send

    monkeypatch.setattr(signing.time, "time", lambda: 1_800_000_000.0)  # one issue time for both codes
    person = RecipientFactory(email="ana@example.com", welcome_email_status=WelcomeEmailStatus.PENDING)
    assert welcome_emails_send(recipient_ids=[person.pk]) == 1
    [message] = mailoutbox
    raw = message.message()
    assert raw.get_content_type() == "multipart/related"
    [image] = [part for part in raw.walk() if part.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<checkin-code>" and image.get_payload(decode=True) == checkin_code_png(
        checkin_code(person), scale=4)
    html = message.alternatives[0][0]
    assert '<img src="cid:checkin-code" alt="Check-in QR code"' in html
    assert "show the QR code of this email at the front desk" in message.body
