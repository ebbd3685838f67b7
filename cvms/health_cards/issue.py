"""Issuing a recipient's SMART Health Card: the FHIR bundle of their COVID-19 doses, signed as a
compressed JWS, as a ``.smart-health-card`` file and as a ``shc:/`` QR code (spec 1.x: one QR, no
chunks; a card that would not fit version 22 at error correction L is refused)."""

import json
import time
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from jwcrypto import jws
from jwcrypto.common import json_encode

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.health_cards.keys import ALG, signing_key
from cvms.immunizations.selectors import recipient_doses

HEALTH_CARD_TYPE = "https://smarthealth.cards#health-card"
CVX_SYSTEM = "http://hl7.org/fhir/sid/cvx"
FHIR_VERSION = "4.0.1"
#: The longest JWS one QR code of version 22 holds at error correction L.
QR_MAX_JWS = 1195
FILE_CONTENT_TYPE = "application/smart-health-card"


@dataclass(frozen=True)
class HealthCard:
    jws: str

    @property
    def qr_text(self) -> str:
        """The QR's text: ``shc:/`` then two digits for each character of the JWS."""
        return "shc:/" + qr_digits(self.jws)

    def qr(self):
        """The QR code: a byte segment for ``shc:/`` and a numeric one for the digits."""
        import segno

        return segno.make(["shc:/", qr_digits(self.jws)], error="l", boost_error=False)

    def file_content(self) -> bytes:
        return json.dumps({"verifiableCredential": [self.jws]}).encode()


def qr_digits(compact: str) -> str:
    return "".join(f"{ord(char) - 45:02d}" for char in compact)


def recipient_bundle(recipient, doses) -> dict:
    """The FHIR bundle of the data-minimized profiles: a Patient (name, birth date) and one
    Immunization per dose (CVX code, date, lot, where it was given); no ids, text or displays."""
    given = [part for part in recipient.first_name.split() if part]
    entries = [{"fullUrl": "resource:0", "resource": {
        "resourceType": "Patient",
        "name": [{"family": recipient.last_name, "given": given}],
        "birthDate": recipient.date_of_birth.isoformat(),
    }}]
    for number, dose in enumerate(doses, start=1):
        resource = {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"coding": [{"system": CVX_SYSTEM, "code": dose.lot.product.cvx}]},
            "patient": {"reference": "resource:0"},
            "occurrenceDateTime": dose.administered_on.isoformat(),
            "performer": [{"actor": {"display": dose.location.name}}],
            "lotNumber": dose.lot.lot_number,
        }
        entries.append({"fullUrl": f"resource:{number}", "resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def card_sign(payload: dict) -> str:
    """``payload`` minified, raw-DEFLATE compressed and signed ES256 with the site's key (compact JWS)."""
    key = signing_key()
    minified = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    token = jws.JWS(compressor.compress(minified) + compressor.flush())
    token.add_signature(key, alg=ALG, protected=json_encode({"alg": ALG, "zip": "DEF", "kid": key.thumbprint()}))
    return token.serialize(compact=True)


def health_card_issue(*, recipient, actor=None, integration: str = "") -> HealthCard:
    """Sign ``recipient``'s card of completed COVID-19 doses as of now (a corrected record gives a
    corrected card the next time it is asked for). Refused when there is no dose to prove."""
    doses = recipient_doses(recipient)
    if not doses:
        raise ServiceError(_("There is no COVID-19 vaccination on this record yet, so there is no card to issue."))
    payload = {
        "iss": settings.CVMS_SHC_ISSUER,
        "nbf": int(time.time()),
        "vc": {"type": [HEALTH_CARD_TYPE],
               "credentialSubject": {"fhirVersion": FHIR_VERSION, "fhirBundle": recipient_bundle(recipient, doses)}},
    }
    card = HealthCard(jws=card_sign(payload))
    if len(card.jws) > QR_MAX_JWS:
        raise ServiceError(_("This record is too long for one health card QR code; please contact the help desk."))
    audit_log(actor=actor, integration=integration, action="health_cards.card.issued", obj=recipient,
              changes={"doses": [dose.pk for dose in doses], "kid": signing_key().thumbprint()})
    return card
