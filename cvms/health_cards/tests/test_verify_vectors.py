"""Every SMART Health Card test vector: the valid ones pass with the example issuer's keys, every
invalid one is rejected with the reason it was made for."""

import json

import pytest

from cvms.health_cards.tests.conftest import EXAMPLE_ISSUER, VECTORS
from cvms.health_cards.verify import REASONS, health_card_verify

INVALID = {
    "test-example-00-d-jws-bad-fhir-metadata.txt": "fhir_rules",
    "test-example-00-d-jws-der-signature-r-neg.txt": "signature",
    "test-example-00-d-jws-der-signature-rs-neg.txt": "signature",
    "test-example-00-d-jws-der-signature-s-neg.txt": "signature",
    "test-example-00-d-jws-der-signature.txt": "signature",
    "test-example-00-d-jws-invalid-signature.txt": "signature",
    "test-example-00-d-jws-issuer-kid-mismatch.txt": "unknown_key",
    "test-example-00-d-jws-issuer-not-valid-with-smart-key.txt": "unknown_issuer",
    "test-example-00-d-jws-jws_too_long.txt": "too_long",
    "test-example-00-d-jws-no_deflate.txt": "header_zip",
    "test-example-00-d-jws-no_jws_header_alg.txt": "header_alg",
    "test-example-00-d-jws-no_jws_header_kid.txt": "header_kid",
    "test-example-00-d-jws-no_jws_header_zip.txt": "header_zip",
    "test-example-00-d-jws-trailing_chars.txt": "unreadable",
    "test-example-00-d-jws-utf8_bom_prefix.txt": "payload",
    "test-example-00-d-jws-wrong_jws_header_kid.txt": "unknown_key",
    "test-example-00-e-file-bad_jwks.smart-health-card": "unknown_issuer",
    "test-example-00-e-file-invalid_deflate.smart-health-card": "deflate",
    "test-example-00-e-file-invalid_issuer_url.smart-health-card": "unknown_issuer",
    "test-example-00-e-file-invalid_issuer_url_http.smart-health-card": "issuer_url",
    "test-example-00-e-file-issuer_url_with_trailing_slash.smart-health-card": "issuer_url",
    "test-example-00-e-file-jws_too_long.smart-health-card": "too_long",
    "test-example-00-e-file-no_deflate.smart-health-card": "header_zip",
    "test-example-00-e-file-trailing_chars.smart-health-card": "unreadable",
    "test-example-00-e-file.wrong-extension": "file_extension",
    "test-example-00-f-qr-code-numeric-value-0-index-out-of-range.txt": "qr_chunked",
    "test-example-00-f-qr-code-numeric-value-0-number-too-big.txt": "qr_digits",
    "test-example-00-f-qr-code-numeric-value-0-odd-count.txt": "qr_digits",
    "test-example-00-f-qr-code-numeric-value-0-trailing_chars.txt": "unreadable",
    "test-example-00-f-qr-code-numeric-value-0-wrong-multi-chunk.txt": "qr_chunked",
    "test-example-00-f-qr-code-numeric-value-0-wrong_qr_header.txt": "unreadable",
    **{f"test-example-00-f-qr-code-numeric-value-{n}-qr_chunk_too_small.txt": "qr_chunked" for n in range(17)},
}


def _check(name):
    path = VECTORS / "invalid" / name
    # Files come as uploads (their name is part of the check); the other vectors as pasted text.
    filename = name if "-e-file" in name else ""
    return health_card_verify(text=path.read_bytes(), filename=filename)


def test_every_invalid_vector_has_an_expected_reason():
    assert sorted(INVALID) == sorted(p.name for p in (VECTORS / "invalid").iterdir())
    assert set(INVALID.values()) <= set(REASONS)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_vector_is_rejected_with_its_reason(db, example_issuer_trusted, name):
    checks = _check(name)
    assert [(check.valid, check.reason) for check in checks] == [(False, INVALID[name])]
    assert checks[0].message and not checks[0].name and not checks[0].doses


def test_example_issuer_file_verifies_every_card_with_name_and_doses(db, example_issuer_trusted):
    path = VECTORS / "valid" / "test-example-00-e-file-multi-jws.smart-health-card"
    checks = health_card_verify(text=path.read_bytes(), filename=path.name)
    assert [(c.valid, c.issuer, c.name) for c in checks] == [
        (True, EXAMPLE_ISSUER, "John B. Anyperson"), (True, EXAMPLE_ISSUER, "Jane C. Anyperson")]
    assert [(d.date, d.cvx, d.lot) for d in checks[0].doses] == [("2021-01-01", "207", "0000001"),
                                                                  ("2021-01-29", "207", "0000007")]
    assert checks[0].birth_date == "1951-01-20"


def test_example_issuer_card_as_a_qr_code_and_as_a_jws_verifies(db, example_issuer_trusted):
    path = VECTORS / "valid" / "test-example-00-e-file-multi-jws.smart-health-card"
    compact = json.loads(path.read_text())["verifiableCredential"][0]
    digits = "".join(f"{ord(char) - 45:02d}" for char in compact)
    assert health_card_verify(text="shc:/" + digits)[0].valid
    assert health_card_verify(text=compact)[0].valid


def test_example_issuer_is_unknown_until_trusted(db):
    path = VECTORS / "valid" / "test-example-00-e-file-multi-jws.smart-health-card"
    checks = health_card_verify(text=path.read_bytes(), filename=path.name)
    assert {(c.valid, c.reason) for c in checks} == {(False, "unknown_issuer")}


@pytest.mark.parametrize("text,reason", [
    ("", "empty"), ("hello", "unreadable"), ("shc:/12a4", "qr_digits"), ("{}", "file_format"),
    ('{"verifiableCredential": []}', "file_format"), (b"\xff\xfe", "unreadable"), ("ey.x", "jws_format"),
])
def test_bad_input_is_rejected_with_its_reason_not_an_error(db, text, reason):
    assert [(c.valid, c.reason) for c in health_card_verify(text=text)] == [(False, reason)]
