"""Claiming a record with a one-time code: codes work once, expire, allow a few tries, are kept
hashed, and share the sign-in lockout; nothing about the record is told before the code is proven."""

import datetime
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.lockout import SignInPaused
from cvms.core.models import AuditLog, OutboxMessage
from cvms.core.sms import sms_kept
from cvms.recipients import choices as c
from cvms.recipients.claims import (
    ClaimRefused,
    access_proven_claim,
    claim_begin,
    claim_code_prove,
    claim_code_send,
    claim_complete,
    claim_link_account,
)
from cvms.recipients.models import RecipientClaim
from cvms.recipients.tests.factories import RecipientFactory

CLINIC = "203.0.113.7"
DOB = datetime.date(1985, 3, 14)


@pytest.fixture
def walk_in(db):
    return RecipientFactory(first_name="Rosa", last_name="Diaz", date_of_birth=DOB, email="rosa@example.com",
                            phone="9195550100", source=c.RecipientSource.WALK_IN, preferred_language="es")


def begin(**overrides):
    fields = {"first_name": "rosa", "last_name": " DIAZ ", "date_of_birth": DOB, "client_ip": CLINIC}
    return claim_begin(**{**fields, **overrides})


def sent_code(started, mailoutbox) -> str:
    assert claim_code_send(claim_id=started.claim_id)
    return re.search(r"\b([0-9]{6})\b", mailoutbox[-1].body).group(1)


def test_a_claim_sends_a_code_to_the_email_on_file_shown_masked(walk_in, mailoutbox):
    started = begin()
    assert (started.channel, started.masked) == ("email", "r***@example.com")
    [queued] = OutboxMessage.objects.filter(task="cvms.recipients.tasks.send_claim_code")
    assert queued.args == [started.claim_id]  # the claim's id only: the code is chosen when it is sent
    code = sent_code(started, mailoutbox)
    assert mailoutbox[-1].to == ["rosa@example.com"]
    claim = RecipientClaim.objects.get(pk=started.claim_id)
    assert code not in claim.code_hash and len(claim.code_hash) == 64  # only a keyed hash is kept


def test_the_code_goes_by_text_to_someone_who_asked_for_texts(walk_in, settings, tmp_path):
    settings.CVMS_SMS_DIR = tmp_path
    walk_in.contact_preference = c.ContactPreference.TEXT
    walk_in.save(update_fields=["contact_preference"])
    started = begin()
    assert (started.channel, started.masked) == ("text", "***-***-0100")
    claim_code_send(claim_id=started.claim_id)
    [text] = sms_kept()
    assert text["to"] == "9195550100" and re.search(r"[0-9]{6}", text["body"])


def test_a_record_with_only_a_phone_gets_its_code_by_text(walk_in):
    walk_in.email = ""
    walk_in.save(update_fields=["email"])
    assert begin().channel == "text"


def test_a_record_with_nothing_on_file_cannot_be_claimed_without_the_help_center(walk_in):
    walk_in.email, walk_in.phone = "", ""
    walk_in.save(update_fields=["email", "phone"])
    with pytest.raises(ClaimRefused, match="help center"):
        begin()


def test_names_are_matched_as_check_in_matches_them(walk_in):
    assert begin(first_name="ＲＯＳＡ").channel == "email"  # full-width letters, folded


def test_no_record_matching_is_refused_without_naming_anyone(walk_in):
    with pytest.raises(ClaimRefused, match="No record"):
        begin(date_of_birth=datetime.date(1990, 1, 1))


def test_a_record_that_already_has_an_account_cannot_be_claimed(walk_in, outsider):
    walk_in.user = outsider
    walk_in.save(update_fields=["user"])
    with pytest.raises(ClaimRefused):
        begin()


def test_the_right_code_works_once(walk_in, mailoutbox):
    started = begin()
    code = sent_code(started, mailoutbox)
    claim_code_prove(claim_id=started.claim_id, code=code, client_ip=CLINIC)
    user = claim_complete(claim_id=started.claim_id, password="a long new password 12")
    walk_in.refresh_from_db()
    assert walk_in.user == user and walk_in.portal_username == "rosa@example.com.covid19vaccine"
    with pytest.raises(ClaimRefused):
        claim_code_prove(claim_id=started.claim_id, code=code, client_ip=CLINIC)
    with pytest.raises(ClaimRefused):
        claim_complete(claim_id=started.claim_id, password="another long password 34")
    assert AuditLog.objects.filter(action="registry.recipient.claimed", object_id=str(walk_in.pk)).exists()


def test_no_record_is_reachable_before_the_code_is_proven(walk_in, mailoutbox):
    started = begin()
    sent_code(started, mailoutbox)
    with pytest.raises(ClaimRefused):
        access_proven_claim(claim_id=started.claim_id)
    with pytest.raises(ClaimRefused):
        claim_complete(claim_id=started.claim_id, password="a long new password 12")
    walk_in.refresh_from_db()
    assert walk_in.user is None


def test_an_expired_code_is_refused(walk_in, mailoutbox):
    started = begin()
    code = sent_code(started, mailoutbox)
    RecipientClaim.objects.filter(pk=started.claim_id).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ClaimRefused, match="expired"):
        claim_code_prove(claim_id=started.claim_id, code=code, client_ip=CLINIC)


@override_settings(CVMS_CLAIM_CODE_ATTEMPTS=3)
def test_after_the_allowed_wrong_tries_even_the_right_code_is_refused(walk_in, mailoutbox):
    started = begin()
    code = sent_code(started, mailoutbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        with pytest.raises(ClaimRefused, match="not right"):
            claim_code_prove(claim_id=started.claim_id, code=wrong, client_ip=CLINIC)
    with pytest.raises(ClaimRefused, match="Too many"):
        claim_code_prove(claim_id=started.claim_id, code=code, client_ip=CLINIC)


def test_a_code_is_sent_once_however_often_its_task_runs(walk_in, mailoutbox):
    started = begin()
    assert claim_code_send(claim_id=started.claim_id)
    assert not claim_code_send(claim_id=started.claim_id)
    assert len(mailoutbox) == 1


@override_settings(CVMS_CLAIM_CODES_PER_HOUR=2)
def test_one_record_gets_a_few_codes_an_hour(walk_in):
    begin()
    begin()
    with pytest.raises(ClaimRefused, match="last hour"):
        begin()


@override_settings(CVMS_SIGNIN_FAILURES_PER_LOGIN=4, CVMS_CLAIM_CODE_ATTEMPTS=50)
def test_wrong_codes_for_one_record_are_paused_by_the_sign_in_lockout(walk_in, mailoutbox):
    started = begin()
    sent_code(started, mailoutbox)
    with pytest.raises(SignInPaused):
        for _ in range(10):
            try:
                claim_code_prove(claim_id=started.claim_id, code="999999x", client_ip=CLINIC)
            except ClaimRefused:
                pass


@override_settings(CVMS_SIGNIN_FAILURES_PER_ADDRESS=6, CVMS_CLAIM_CODE_ATTEMPTS=50)
def test_wrong_codes_count_toward_the_address_pause_that_sign_in_shares(walk_in, mailoutbox, outsider, password):
    started = begin()
    sent_code(started, mailoutbox)
    for _ in range(3):
        with pytest.raises(ClaimRefused):
            claim_code_prove(claim_id=started.claim_id, code="999999x", client_ip=CLINIC)
    for n in range(4):
        Client().post(reverse("account_login"), {"login": f"made-up-{n}@nowhere.example.com", "password": "guess"},
                      REMOTE_ADDR=CLINIC)
    response = Client().post(reverse("account_login"), {"login": outsider.email, "password": password},
                             REMOTE_ADDR=CLINIC)
    assert response.status_code == 429  # someone never seen at this address is paused with the rest


def test_someone_with_only_a_phone_claims_by_text_and_gives_an_email_to_sign_in_with(walk_in, settings, tmp_path):
    settings.CVMS_SMS_DIR = tmp_path
    walk_in.email = ""
    walk_in.save(update_fields=["email"])
    started = begin()
    claim_code_send(claim_id=started.claim_id)
    code = re.search(r"[0-9]{6}", sms_kept()[0]["body"]).group(0)
    claim_code_prove(claim_id=started.claim_id, code=code, client_ip=CLINIC)
    with pytest.raises(ClaimRefused, match="email"):
        claim_complete(claim_id=started.claim_id, password="a long new password 12")
    user = claim_complete(claim_id=started.claim_id, password="a long new password 12", email="rosa.d@example.com")
    assert user.username == "rosa.d@example.com.covid19vaccine"
    assert not user.emailaddress_set.get().verified  # nothing was ever sent to it


def test_a_proven_claim_joins_a_signed_up_account_without_a_role(walk_in, mailoutbox, outsider):
    started = begin()
    claim_code_prove(claim_id=started.claim_id, code=sent_code(started, mailoutbox), client_ip=CLINIC)
    claim_link_account(claim_id=started.claim_id, user=outsider)
    walk_in.refresh_from_db()
    assert walk_in.user == outsider
    with pytest.raises(ClaimRefused):
        claim_link_account(claim_id=started.claim_id, user=outsider)  # once


def test_a_proven_claim_never_joins_an_account_holding_a_role(walk_in, mailoutbox, provider_a):
    started = begin()
    claim_code_prove(claim_id=started.claim_id, code=sent_code(started, mailoutbox), client_ip=CLINIC)
    with pytest.raises(ClaimRefused, match="no role"):
        claim_link_account(claim_id=started.claim_id, user=provider_a)
    walk_in.refresh_from_db()
    assert walk_in.user is None
