"""Checking a SMART Health Card: a ``shc:/`` QR text, a compact JWS or a ``.smart-health-card``
file. Each card is valid or not with a reason (a code, worded in the reader's language when read),
and a valid card gives the name, birth date and doses it proves. Only trusted issuers' keys are
used (``cvms.health_cards.keys.trusted_issuers``); nothing is fetched from the network."""

import base64
import binascii
import json
import re
import time
import zlib
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from jwcrypto import jws
from jwcrypto.common import JWException

from cvms.health_cards.issue import CVX_SYSTEM, HEALTH_CARD_TYPE, QR_MAX_JWS
from cvms.health_cards.keys import ALG, trusted_issuers
from cvms.inventory.models import VaccineProduct

FILE_EXTENSION = ".smart-health-card"
#: How far ahead of this server's clock a card's issue time may be (the issuer's clock may run fast).
CLOCK_LEEWAY_SECONDS = 300

REASONS = {
    "empty": _("Nothing was given to check."),
    "unreadable": _("This is not a SMART Health Card: a card's code starts with shc:/ and a card file is a "
                    ".smart-health-card file."),
    "file_extension": _("A health card file's name ends in .smart-health-card."),
    "file_format": _("The file is not a readable health card file (it needs a list of verifiable credentials)."),
    "qr_chunked": _("This is one part of a card split over several QR codes, which is no longer allowed. Ask the "
                    "issuer for a new card."),
    "qr_digits": _("The digits after shc:/ are damaged: they must come in pairs, each from 00 to 77."),
    "jws_format": _("The card's signed data is damaged or has extra characters."),
    "too_long": _("The card is too long to fit one QR code."),
    "header_alg": _("The card is not signed with the ES256 algorithm that health cards use."),
    "header_zip": _("The card's data is not marked as compressed, as health cards must be."),
    "header_kid": _("The card does not name the key that signed it."),
    "deflate": _("The card's data cannot be decompressed."),
    "payload": _("The card's data is not readable."),
    "issuer_url": _("The card's issuer address is not valid (it must start with https:// and not end with /)."),
    "unknown_issuer": _("The card was issued by an issuer this site does not trust."),
    "unknown_key": _("The card was signed with a key its issuer does not publish."),
    "signature": _("The card's signature does not match: it was changed after it was signed, or not signed by "
                   "its issuer."),
    "not_yet_valid": _("The card's issue date is in the future."),
    "expired": _("The card has expired."),
    "not_health_card": _("This is not a SMART Health Card credential."),
    "fhir_rules": _("The card's record does not follow the rules for health cards."),
    "not_vaccine": _("The card holds no COVID-19 vaccination record."),
}

_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_CHUNKED = re.compile(r"shc:/[0-9]+/[0-9]+/")


class Invalid(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Dose:
    date: str
    cvx: str
    lot: str
    performer: str
    #: The vaccine's name when a product of ours has this CVX code, else the code.
    vaccine: str = ""


@dataclass
class CardCheck:
    valid: bool
    reason: str = ""
    issuer: str = ""
    name: str = ""
    birth_date: str = ""
    doses: list[Dose] = field(default_factory=list)

    @property
    def message(self) -> str:
        return str(REASONS[self.reason]) if self.reason else ""


def health_card_verify(*, text: str | bytes, filename: str = "") -> list[CardCheck]:
    """Check what a visitor pasted or uploaded (``filename`` for an upload): one result per card
    (a file may hold several), never an exception for bad input."""
    try:
        checks = _verify(text, filename)
    except Invalid as invalid:
        return [CardCheck(valid=False, reason=invalid.reason)]
    _name_vaccines(checks)
    return checks


def _name_vaccines(checks: list[CardCheck]) -> None:
    codes = {dose.cvx for check in checks for dose in check.doses}
    names = dict(VaccineProduct.objects.filter(cvx__in=codes).order_by("-pk").values_list("cvx", "display_name"))
    for check in checks:
        check.doses = [replace(dose, vaccine=names.get(dose.cvx, f"CVX {dose.cvx}")) for dose in check.doses]


def _verify(text: str | bytes, filename: str) -> list[CardCheck]:
    if filename and not filename.lower().endswith(FILE_EXTENSION):
        raise Invalid("file_extension")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("unreadable") from None
    if not text:
        raise Invalid("empty")
    if text.startswith("{"):
        return [_check(compact) for compact in _file_credentials(text)]
    if text.startswith("shc:/"):
        return [_check(_qr_jws(text))]
    if filename or not text.startswith("ey"):
        raise Invalid("unreadable")
    return [_check(text)]


def _file_credentials(text: str) -> list[str]:
    try:
        document = json.loads(text)
    except ValueError:
        raise Invalid("file_format") from None
    credentials = document.get("verifiableCredential") if isinstance(document, dict) else None
    if not (isinstance(credentials, list) and credentials and all(isinstance(c, str) for c in credentials)):
        raise Invalid("file_format")
    return credentials


def _qr_jws(text: str) -> str:
    if _CHUNKED.match(text):
        raise Invalid("qr_chunked")
    digits = text[len("shc:/"):]
    if not digits.isascii() or not digits.isdigit() or len(digits) % 2:
        raise Invalid("qr_digits")
    pairs = [int(digits[i:i + 2]) for i in range(0, len(digits), 2)]
    if max(pairs) > ord("z") - 45:
        raise Invalid("qr_digits")
    return "".join(chr(pair + 45) for pair in pairs)


def _check(compact: str) -> CardCheck:
    try:
        return _check_jws(compact)
    except Invalid as invalid:
        return CardCheck(valid=False, reason=invalid.reason)


def _check_jws(compact: str) -> CardCheck:
    if not _JWS.fullmatch(compact):
        raise Invalid("jws_format")
    encoded_header, encoded_payload, _signature = compact.split(".")
    header = _json(_b64(encoded_header, "jws_format"), "jws_format")
    if not isinstance(header, dict):
        raise Invalid("jws_format")
    if header.get("alg") != ALG:
        raise Invalid("header_alg")
    if header.get("zip") != "DEF":
        raise Invalid("header_zip")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise Invalid("header_kid")
    if len(compact) > QR_MAX_JWS:
        raise Invalid("too_long")
    try:
        payload = _json(zlib.decompress(_b64(encoded_payload, "jws_format"), wbits=-15), "payload")
    except zlib.error:
        raise Invalid("deflate") from None
    if not isinstance(payload, dict):
        raise Invalid("payload")
    issuer_url = payload.get("iss")
    # This site's own issuer is trusted as configured (production requires https of it, and
    # development serves plain http); every other issuer must be an https address.
    ours = issuer_url == settings.CVMS_SHC_ISSUER
    if not isinstance(issuer_url, str) or issuer_url.endswith("/") or not (ours or issuer_url.startswith("https://")):
        raise Invalid("issuer_url")
    _signature_check(compact, issuer_url, header["kid"])
    _times_check(payload)
    return _card(payload, issuer_url)


def _signature_check(compact: str, issuer_url: str, kid: str) -> None:
    issuer = trusted_issuers().get(issuer_url)
    if issuer is None:
        raise Invalid("unknown_issuer")
    key = issuer.keys.get(kid)
    if key is None:
        raise Invalid("unknown_key")
    token = jws.JWS()
    try:
        token.deserialize(compact)
        token.verify(key, alg=ALG)
    except (JWException, ValueError, TypeError):
        raise Invalid("signature") from None


def _times_check(payload: dict) -> None:
    now = time.time()
    nbf, exp = payload.get("nbf"), payload.get("exp")
    if not _number(nbf) or (exp is not None and not _number(exp)):
        raise Invalid("payload")
    if nbf > now + CLOCK_LEEWAY_SECONDS:
        raise Invalid("not_yet_valid")
    if exp is not None and exp < now:
        raise Invalid("expired")


def _card(payload: dict, issuer_url: str) -> CardCheck:
    vc = payload.get("vc")
    types = vc.get("type") if isinstance(vc, dict) else None
    if not isinstance(types, list) or HEALTH_CARD_TYPE not in types:
        raise Invalid("not_health_card")
    subject = vc.get("credentialSubject")
    bundle = subject.get("fhirBundle") if isinstance(subject, dict) else None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise Invalid("not_vaccine")
    resources = [entry.get("resource") for entry in bundle.get("entry") or [] if isinstance(entry, dict)]
    if not all(isinstance(resource, dict) for resource in resources):
        raise Invalid("fhir_rules")
    for resource in resources:
        _fhir_rules_check(resource)
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    doses = [_dose(r) for r in resources if r.get("resourceType") == "Immunization" and r.get("status") == "completed"]
    if len(patients) != 1 or not doses:
        raise Invalid("not_vaccine")
    name, birth_date = _patient(patients[0])
    return CardCheck(valid=True, issuer=issuer_url, name=name, birth_date=birth_date, doses=doses)


def _fhir_rules_check(value, *, top: bool = True) -> None:
    """What the spec forbids in a card's resources: an id, ``text``, ``meta`` other than
    ``meta.security``, and displays on codings."""
    if isinstance(value, dict):
        if top and ("id" in value or "text" in value):
            raise Invalid("fhir_rules")
        if top and "meta" in value and set(value["meta"] if isinstance(value["meta"], dict) else {1}) - {"security"}:
            raise Invalid("fhir_rules")
        if "coding" in value and "text" in value:
            raise Invalid("fhir_rules")
        if "system" in value and "code" in value and "display" in value:
            raise Invalid("fhir_rules")
        for item in value.values():
            _fhir_rules_check(item, top=False)
    elif isinstance(value, list):
        for item in value:
            _fhir_rules_check(item, top=False)


def _dose(resource: dict) -> Dose:
    codings = (resource.get("vaccineCode") or {}).get("coding") or []
    cvx = next((c.get("code", "") for c in codings if isinstance(c, dict) and c.get("system") == CVX_SYSTEM), "")
    performers = resource.get("performer") or []
    performer = (performers[0].get("actor") or {}).get("display", "") if performers else ""
    return Dose(date=str(resource.get("occurrenceDateTime", ""))[:10], cvx=str(cvx),
                lot=str(resource.get("lotNumber", "")), performer=str(performer))


def _patient(resource: dict) -> tuple[str, str]:
    names = resource.get("name") or [{}]
    name = names[0] if isinstance(names[0], dict) else {}
    given = " ".join(str(part) for part in name.get("given") or [])
    return " ".join(part for part in (given, str(name.get("family", ""))) if part), str(resource.get("birthDate", ""))


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _b64(text: str, reason: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise Invalid(reason) from None


def _json(data: bytes, reason: str):
    """Strict UTF-8 JSON: a byte-order mark or other encoding is refused, not guessed."""
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        raise Invalid(reason) from None
