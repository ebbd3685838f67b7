import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cvms.health_cards.tests.conftest import EXAMPLE_ISSUER, EXAMPLE_JWKS, VECTORS

URL = "/recipient/verify/"
VALID_FILE = VECTORS / "valid" / "test-example-00-e-file-multi-jws.smart-health-card"


@pytest.fixture
def example_issuer_trusted(settings):
    settings.CVMS_SHC_TRUSTED_ISSUERS = json.dumps({EXAMPLE_ISSUER: str(EXAMPLE_JWKS)})


def _qr_text():
    compact = json.loads(VALID_FILE.read_text())["verifiableCredential"][0]
    return "shc:/" + "".join(f"{ord(char) - 45:02d}" for char in compact)


def test_anyone_may_open_the_verify_page(client, db):
    assert reverse("recipient_portal:verify") == URL
    response = client.get(URL)
    assert response.status_code == 200 and "shc:/" in response.content.decode()


def test_a_pasted_code_of_a_trusted_issuer_shows_valid_with_name_and_doses(client, db, example_issuer_trusted):
    body = client.post(URL, {"code": _qr_text() + "\n"}).content.decode()
    assert "Valid card" in body and "John B. Anyperson" in body and "0000007" in body


def test_an_uploaded_card_file_shows_each_card(client, db, example_issuer_trusted):
    upload = SimpleUploadedFile(VALID_FILE.name, VALID_FILE.read_bytes())
    body = client.post(URL, {"card_file": upload}).content.decode()
    assert body.count("Valid card") == 2 and "Jane C. Anyperson" in body


def test_a_card_of_an_unknown_issuer_says_why_it_is_not_valid(client, db):
    body = client.post(URL, {"code": _qr_text()}).content.decode()
    assert "Not a valid card" in body and "an issuer this site does not trust" in body
    assert "Anyperson" not in body


def test_a_file_with_another_extension_is_refused_by_name(client, db, example_issuer_trusted):
    upload = SimpleUploadedFile("card.txt", VALID_FILE.read_bytes())
    body = client.post(URL, {"card_file": upload}).content.decode()
    assert "Not a valid card" in body and ".smart-health-card" in body


def test_nothing_given_or_both_given_is_a_form_error(client, db):
    assert "Paste a health card code or upload" in client.post(URL, {"code": "  "}).content.decode()
    both = {"code": "shc:/00", "card_file": SimpleUploadedFile("a.smart-health-card", b"{}")}
    assert "not both" in client.post(URL, both).content.decode()


def test_an_oversized_file_is_refused_by_its_field(client, db):
    upload = SimpleUploadedFile("a.smart-health-card", b" " * (65 * 1024))
    body = client.post(URL, {"card_file": upload}).content.decode()
    assert "Or upload a health card file: This file is too large" in body


def test_garbage_is_a_reason_not_a_500(client, db):
    for code in ("shc:/99", "shc:/1/2/0000", "eyJ.eyJ.x", "{\"verifiableCredential\": [1]}"):
        response = client.post(URL, {"code": code})
        assert response.status_code == 200 and "Not a valid card" in response.content.decode()


def test_the_page_speaks_spanish(client, db):
    with translation.override("es"):
        response = client.get(URL, headers={"accept-language": "es"})
    assert response.status_code == 200 and 'lang="es"' in response.content.decode()


def test_wrong_method_is_405(client, db):
    assert client.put(URL).status_code == 405


def test_signed_in_people_of_any_tenant_see_no_record_of_others(client, tenant_a, tenant_b):
    client.force_login(tenant_b.recipient_user)
    body = client.get(URL).content.decode()
    assert tenant_a.recipient.last_name not in body and tenant_b.recipient.last_name not in body


def test_the_camera_scanner_is_offered_only_to_scripts_and_loaded_from_this_site(client, db):
    body = client.get(URL).content.decode()
    assert "hidden data-camera-scan" in body and "/static/js/verify-scan.js" in body
    assert 'data-decoder-src="/static/vendor/jsqr/jsQR.min.js"' in body
    assert "<script>" not in body.split("<body", 1)[1]  # no inline script to allow in a CSP
