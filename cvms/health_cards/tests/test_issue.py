"""Issuing a recipient's card: the bundle the spec asks for, signed and compressed, as a file and a
QR code, verifiable by the same site; the keys it is signed with and published under."""

import base64
import datetime
import json
import zlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from jwcrypto import jwk

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.health_cards.issue import QR_MAX_JWS, health_card_issue
from cvms.health_cards.keys import check_keys, published_jwks
from cvms.health_cards.verify import health_card_verify
from cvms.immunizations import choices as c
from cvms.immunizations.services.administer import immunization_mark_entered_in_error, immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory


def _b64json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _payload(compact):
    body = compact.split(".")[1]
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), wbits=-15))


def _dose(tenant, *, days_ago, number=1):
    product = VaccineProductFactory(cvx="207", display_name=f"Moderna {number}")
    lot = lot_receive(location=tenant.location, product=product, lot_number=f"LOT{number}",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=60), doses=10)
    return immunization_record(recipient=tenant.recipient, lot=lot, dose_number=number, site=c.Site.LEFT_ARM,
                               given_by=tenant.vaccinator,
                               administered_at=timezone.now() - datetime.timedelta(days=days_ago), confirmed=True)


def test_card_holds_the_spec_bundle_of_completed_doses_only(tenant_a, signing_key):
    first = _dose(tenant_a, days_ago=30)
    mistaken = _dose(tenant_a, days_ago=10, number=2)
    immunization_mark_entered_in_error(immunization=mistaken, actor=tenant_a.manager, reason="wrong person")
    card = health_card_issue(recipient=tenant_a.recipient, actor=tenant_a.recipient_user)
    header = _b64json(card.jws.split(".")[0])
    assert header == {"alg": "ES256", "zip": "DEF", "kid": signing_key.thumbprint()}
    payload = _payload(card.jws)
    assert payload["iss"] == "https://cvms.example.gov" and isinstance(payload["nbf"], int)
    assert payload["vc"]["type"] == ["https://smarthealth.cards#health-card"]
    assert payload["vc"]["credentialSubject"]["fhirVersion"] == "4.0.1"
    recipient = tenant_a.recipient
    assert payload["vc"]["credentialSubject"]["fhirBundle"] == {
        "resourceType": "Bundle", "type": "collection", "entry": [
            {"fullUrl": "resource:0", "resource": {
                "resourceType": "Patient", "name": [{"family": recipient.last_name, "given": [recipient.first_name]}],
                "birthDate": recipient.date_of_birth.isoformat()}},
            {"fullUrl": "resource:1", "resource": {
                "resourceType": "Immunization", "status": "completed",
                "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "207"}]},
                "patient": {"reference": "resource:0"},
                "occurrenceDateTime": first.administered_on.isoformat(),
                "performer": [{"actor": {"display": tenant_a.location.name}}], "lotNumber": "LOT1"}},
        ]}


def test_card_is_minified_raw_deflate(tenant_a, signing_key):
    _dose(tenant_a, days_ago=3)
    compact = health_card_issue(recipient=tenant_a.recipient).jws
    body = compact.split(".")[1]
    raw = zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), wbits=-15)
    assert b": " not in raw and b", " not in raw


def test_issued_card_verifies_as_qr_text_and_as_file_with_name_and_doses(tenant_a, signing_key):
    _dose(tenant_a, days_ago=3)
    card = health_card_issue(recipient=tenant_a.recipient)
    assert card.qr_text.startswith("shc:/") and card.qr_text[5:].isdigit()
    from_qr = health_card_verify(text=card.qr_text)[0]
    assert from_qr.valid and from_qr.name == tenant_a.recipient.first_name + " " + tenant_a.recipient.last_name
    assert [dose.vaccine for dose in from_qr.doses] == ["Moderna 1"]
    from_file = health_card_verify(text=card.file_content(), filename="card.smart-health-card")
    assert [check.valid for check in from_file] == [True]
    assert json.loads(card.file_content()) == {"verifiableCredential": [card.jws]}


def test_qr_code_has_a_byte_and_a_numeric_segment_at_level_l_within_version_22(tenant_a, signing_key):
    for number in range(1, 7):
        _dose(tenant_a, days_ago=200 - number * 20, number=number)
    card = health_card_issue(recipient=tenant_a.recipient)
    assert len(card.jws) <= QR_MAX_JWS
    qr = card.qr()
    assert qr.error == "L" and qr.version <= 22
    assert qr.mode is None  # several segments: segno names no single mode


def test_issuing_is_audited_and_refused_without_a_dose(tenant_a, signing_key):
    with pytest.raises(ServiceError):
        health_card_issue(recipient=tenant_a.recipient)
    _dose(tenant_a, days_ago=1)
    health_card_issue(recipient=tenant_a.recipient, actor=tenant_a.recipient_user)
    entry = AuditLog.objects.get(action="health_cards.card.issued")
    assert entry.changes["kid"] == signing_key.thumbprint()


def test_a_corrected_record_gives_a_corrected_card(tenant_a, signing_key):
    dose = _dose(tenant_a, days_ago=5)
    before = health_card_verify(text=health_card_issue(recipient=tenant_a.recipient).qr_text)[0]
    _dose(tenant_a, days_ago=2, number=2)
    immunization_mark_entered_in_error(immunization=dose, actor=tenant_a.manager, reason="wrong lot")
    after = health_card_verify(text=health_card_issue(recipient=tenant_a.recipient).qr_text)[0]
    assert [d.lot for d in before.doses] == ["LOT1"] and [d.lot for d in after.doses] == ["LOT2"]


def test_cards_of_a_retired_key_verify_while_it_is_still_published(tenant_a, signing_key, settings):
    _dose(tenant_a, days_ago=1)
    old_card = health_card_issue(recipient=tenant_a.recipient)
    settings.CVMS_SHC_SIGNING_KEY = jwk.JWK.generate(kty="EC", crv="P-256").export_private()
    assert health_card_verify(text=old_card.qr_text)[0].reason == "unknown_key"
    settings.CVMS_SHC_PREVIOUS_KEYS = json.dumps([signing_key.export_public(as_dict=True)])
    assert health_card_verify(text=old_card.qr_text)[0].valid
    assert [k["kid"] for k in published_jwks()["keys"]][1:] == [signing_key.thumbprint()]


def test_signing_key_from_a_pem_or_a_key_file(tenant_a, settings, tmp_path):
    key = jwk.JWK.generate(kty="EC", crv="P-256")
    settings.CVMS_SHC_SIGNING_KEY = key.export_to_pem(private_key=True, password=None).decode()
    assert published_jwks()["keys"][0]["kid"] == key.thumbprint()
    (tmp_path / "key.json").write_text(key.export_private())
    settings.CVMS_SHC_SIGNING_KEY, settings.CVMS_SHC_KEY_FILE = "", str(tmp_path / "key.json")
    assert published_jwks()["keys"][0]["kid"] == key.thumbprint()


BAD_KEY_SETTINGS = {
    "not a key": ("CVMS_SHC_SIGNING_KEY", lambda: "not a key"),
    "a public key": ("CVMS_SHC_SIGNING_KEY", lambda: jwk.JWK.generate(kty="EC", crv="P-256").export_public()),
    "an RSA key": ("CVMS_SHC_SIGNING_KEY", lambda: jwk.JWK.generate(kty="RSA", size=2048).export_private()),
    "a missing key file": ("CVMS_SHC_KEY_FILE", lambda: "/nonexistent/shc-key.json"),
    "a previous key not EC": ("CVMS_SHC_PREVIOUS_KEYS", lambda: '[{"kty": "oct", "k": "AAAA"}]'),
    "issuers as a list": ("CVMS_SHC_TRUSTED_ISSUERS", lambda: "[]"),
    "a missing key set file": ("CVMS_SHC_TRUSTED_ISSUERS", lambda: '{"https://a.example": "/nonexistent/jwks.json"}'),
}


@pytest.mark.parametrize("case", sorted(BAD_KEY_SETTINGS))
def test_a_key_setting_that_cannot_be_read_is_named(settings, case):
    name, value = BAD_KEY_SETTINGS[case]
    settings.CVMS_SHC_SIGNING_KEY = ""
    setattr(settings, name, value())
    with pytest.raises(ImproperlyConfigured, match=name):
        check_keys()


def test_production_signs_only_with_a_key_it_was_given(settings):
    settings.CVMS_SHC_SIGNING_KEY = settings.CVMS_SHC_KEY_FILE = ""
    settings.PRODUCTION, settings.CVMS_SHC_ISSUER = True, "https://cvms.example.gov"
    with pytest.raises(ImproperlyConfigured, match="CVMS_SHC_SIGNING_KEY or CVMS_SHC_KEY_FILE"):
        check_keys()


def test_production_refuses_an_issuer_that_is_not_https(settings, signing_key):
    settings.PRODUCTION, settings.CVMS_SHC_ISSUER = True, "http://cvms.example.gov"
    with pytest.raises(ImproperlyConfigured, match="CVMS_SHC_ISSUER"):
        check_keys()


def test_jwks_publishes_public_keys_with_thumbprint_kids_for_any_origin(client, signing_key, settings):
    retired = jwk.JWK.generate(kty="EC", crv="P-256")
    settings.CVMS_SHC_PREVIOUS_KEYS = json.dumps({"keys": [retired.export_public(as_dict=True)]})
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    keys = response.json()["keys"]
    assert [k["kid"] for k in keys] == [signing_key.thumbprint(), retired.thumbprint()]
    for key in keys:
        assert {key["kty"], key["crv"], key["use"], key["alg"]} == {"EC", "P-256", "sig", "ES256"}
        assert "d" not in key
    assert reverse("health_cards_jwks") == "/.well-known/jwks.json"


def test_jwks_refuses_a_post(client, signing_key):
    assert client.post("/.well-known/jwks.json").status_code == 405


def test_command_writes_a_card_file_signed_with_the_published_key(tenant_a, signing_key, tmp_path):
    _dose(tenant_a, days_ago=1)
    out = tmp_path / "card.smart-health-card"
    call_command("issue_health_card", recipient=tenant_a.recipient.pk, out=str(out))
    checks = health_card_verify(text=out.read_bytes(), filename=out.name)
    assert [c.valid for c in checks] == [True]
    assert AuditLog.objects.filter(action="health_cards.card.issued", actor_label="manage.py issue_health_card")


def test_command_names_an_unknown_recipient_or_one_without_doses(tenant_a, signing_key, tmp_path):
    with pytest.raises(CommandError, match="--recipient: there is no recipient 0"):
        call_command("issue_health_card", recipient=0, out=str(tmp_path / "x"))
    with pytest.raises(CommandError, match="no COVID-19 vaccination"):
        call_command("issue_health_card", recipient=tenant_a.recipient.pk, out=str(tmp_path / "x"))


def test_the_pdf_draws_the_cards_qr_code_module_for_module(tenant_a, signing_key):
    from cvms.health_cards.pdf import QrCode

    _dose(tenant_a, days_ago=1)
    card = health_card_issue(recipient=tenant_a.recipient)
    drawn = QrCode(card)
    assert len(drawn.rows) == card.qr().symbol_size(scale=1, border=4)[0]
    assert drawn.rows == [list(row) for row in card.qr().matrix_iter(scale=1, border=4)]
