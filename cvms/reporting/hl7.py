"""HL7 v2.5.1 VXU^V04 messages to the state immunization registry (CDC Implementation Guide for
Immunization Messaging, Release 1.5).

``vxu_message(immunization)`` builds one message, checks it against the 2.5.1 schema with hl7apy's
strict validation (``hl7_check``: its types for every value, its whole validation once for each shape
of message) and returns it in ER7 (segments split by ``\\r``). Every free-text value (names,
addresses, e-mail, organization and location names) goes through ``hl7_escape``, so a ``|`` or ``^``
in a name stays in its field. What the guide asks for and CVMS does not hold (a next of kin, an
ordering provider's NPI, the EUA fact sheet's barcode) is left out, as its usage allows.
"""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from hl7apy.core import Message
from hl7apy.exceptions import HL7apyException

from cvms.core.models import AuditLog
from cvms.immunizations import choices as ic
from cvms.immunizations.models import Immunization
from cvms.reporting.fips import county_fips
from cvms.reporting.hl7_check import Fields, er7_check, strictly_validated

VERSION = "2.5.1"  # hl7_check's too
PROFILE = "Z22^CDCPHINVS"


class VxuAction(models.TextChoices):
    """RXA-21: what the message does to the registry's copy of the dose."""

    ADD = "A", "Add"
    UPDATE = "U", "Update"
    DELETE = "D", "Delete"


class VxuBuildError(Exception):
    """The record cannot make a valid message (the schema refused a value): says which."""


# Code texts as the code systems word them (sent in English whatever the reader's language).
RACE_TEXT = {
    "1002-5": "American Indian or Alaska Native", "2028-9": "Asian", "2054-5": "Black or African American",
    "2076-8": "Native Hawaiian or Other Pacific Islander", "2106-3": "White", "2131-1": "Other Race",
}
ETHNICITY_TEXT = {"2135-2": "Hispanic or Latino", "2186-5": "Not Hispanic or Latino"}
SITE_TEXT = {  # HL7 table 0163
    "LA": "Left Arm", "RA": "Right Arm", "LD": "Left Deltoid", "RD": "Right Deltoid", "LT": "Left Thigh",
    "RT": "Right Thigh", "LVL": "Left Vastus Lateralis", "RVL": "Right Vastus Lateralis",
    "LG": "Left Gluteous Medius", "RG": "Right Gluteous Medius",
}
ROUTE_TEXT = {  # NCI Thesaurus
    "C28161": "Intramuscular", "C38299": "Subcutaneous", "C38238": "Intradermal", "C38284": "Nasal",
    "C38288": "Oral",
}
MANUFACTURER_TEXT = {  # CDC MVX
    "PFR": "Pfizer, Inc", "MOD": "Moderna US, Inc.", "JSN": "Janssen", "NVX": "Novavax, Inc.",
    "ASZ": "AstraZeneca", "SNY": "Sanofi Pasteur",
}

#: The delimiters and the escape character as their escape sequences.
_ESCAPES = {"\\": "\\E\\", "|": "\\F\\", "^": "\\S\\", "&": "\\T\\", "~": "\\R\\"}
#: What the 2.5.1 schema lets a text component hold (ST), and an HD's namespace id (IS).
TEXT_LIMIT, NAMESPACE_LIMIT = 199, 20


def hl7_escape(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` as an HL7 value: the delimiters ``| ^ & ~`` and the escape ``\\`` as their escape
    sequences, line breaks and tabs (which would end a segment) as spaces, and no longer than
    ``limit`` characters once escaped (cut before a whole character, never inside a sequence)."""
    text = str(text or "")
    if any(c in text for c in "\r\n\t"):
        text = " ".join(text.split())
    pieces, size = [], 0
    for char in text:
        piece = _ESCAPES.get(char, char)
        if size + len(piece) > limit:
            break
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)


def _components(*values: str) -> str:
    """Components already escaped, joined, trailing empty ones dropped."""
    return "^".join(values).rstrip("^")


def _moment(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S%z")


def _day(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def _amount(volume: Decimal | None) -> str:
    return "999" if volume is None else format(volume.normalize(), "f")


def _address_parts(place) -> list[str]:
    """Street, other designation, city, state, ZIP and country, escaped; [] for no address."""
    if not (place.address_line1 or place.city or place.zip_code):
        return []
    return [hl7_escape(place.address_line1), hl7_escape(place.address_line2), hl7_escape(place.city),
            hl7_escape(place.state), hl7_escape(place.zip_code), "USA"]


def _address(place) -> str:
    """XAD: the address, type L (legal), and the county's FIPS code in component 9."""
    parts = _address_parts(place)
    return _components(*parts, "L", "", county_fips(place.county, state=place.state)) if parts else ""


def _administered_at(location) -> str:
    """LA2, as CVRS reads it: the facility (4) as the location's name and VTrckS PIN, then its
    address from component 9 (street, other, city, state, ZIP, country, type, county FIPS in 16)."""
    facility = "&".join(filter(None, [hl7_escape(location.name, NAMESPACE_LIMIT), location.vtrcks_pin]))
    parts = _address_parts(location)
    address = [*parts, "", county_fips(location.county, state=location.state)] if parts else []
    return _components("", "", "", facility, "", "", "", "", *address)


def _person(user, authority: str) -> str:
    """XCN: id, family name, given name, and the assigning authority (component 9)."""
    return _components(str(user.pk), hl7_escape(user.last_name), hl7_escape(user.first_name), "", "", "", "", "",
                       authority)


def _was_corrected(immunization: Immunization) -> bool:
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Immunization),
                                   object_id=str(immunization.pk), action="registry.immunization.corrected").exists()


def vxu_action(immunization: Immunization) -> VxuAction:
    """The action a message about the record's present state carries: a record entered in error is
    deleted, a corrected one updated, any other added."""
    if immunization.status == ic.ImmunizationStatus.ENTERED_IN_ERROR:
        return VxuAction.DELETE
    return VxuAction.UPDATE if _was_corrected(immunization) else VxuAction.ADD


def _header(*, control_id: str, now: datetime.datetime, organization) -> Fields:
    return {3: hl7_escape(settings.CVMS_HL7_SENDING_APPLICATION), 4: hl7_escape(settings.CVMS_HL7_SENDING_FACILITY),
            5: hl7_escape(settings.CVMS_HL7_RECEIVING_APPLICATION), 6: hl7_escape(settings.CVMS_HL7_RECEIVING_FACILITY),
            7: _moment(now), 9: "VXU^V04^VXU_V04", 10: hl7_escape(control_id), 11: settings.CVMS_HL7_PROCESSING_ID,
            12: VERSION, 15: "ER", 16: "AL", 21: PROFILE, 22: _responsible_organization(organization)}


def _patient(recipient) -> Fields:
    authority = hl7_escape(settings.CVMS_HL7_SENDING_FACILITY)
    races = [f"{code}^{RACE_TEXT[code]}^CDCREC" for code in recipient.race if code in RACE_TEXT]
    phones = []
    if len(recipient.phone) == 10:
        phones.append(f"^PRN^PH^^^{recipient.phone[:3]}^{recipient.phone[3:]}")
    if recipient.email:
        phones.append(f"^NET^Internet^{hl7_escape(recipient.email)}")
    ethnicity = recipient.ethnicity
    return {1: "1", 3: f"{recipient.pk}^^^{authority}^MR",
            5: _components(hl7_escape(recipient.last_name), hl7_escape(recipient.first_name), "", "", "", "", "L"),
            7: _day(recipient.date_of_birth), 8: recipient.sex or "U", 10: "~".join(races), 11: _address(recipient),
            13: "~".join(phones),
            22: f"{ethnicity}^{ETHNICITY_TEXT[ethnicity]}^CDCREC" if ethnicity in ETHNICITY_TEXT else ""}


def _observation(index: int, *, kind: str, code: str, value: str, day: str, units: str = "",
                 method: str = "") -> tuple[str, Fields]:
    return "OBX", {1: str(index), 2: kind, 3: code, 4: str(index), 5: value, 6: units, 11: "F", 14: day, 17: method}


def _order(immunization: Immunization, action: VxuAction) -> list[tuple[str, Fields]]:
    application = hl7_escape(settings.CVMS_HL7_SENDING_APPLICATION)
    authority = hl7_escape(settings.CVMS_HL7_SENDING_FACILITY)
    lot, location = immunization.lot, immunization.location
    product = lot.product
    orc = {1: "RE", 3: f"{immunization.pk}^{application}"}
    if immunization.recorded_by is not None:
        orc[10] = _person(immunization.recorded_by, authority)

    given = _moment(immunization.administered_at)
    name = hl7_escape(product.display_name)
    administered = f"{product.cvx}^{name}^CVX"
    ndc = (product.ndc_unit_of_use or product.ndc_unit_of_sale or [""])[0]  # unit of use preferred
    if ndc:
        administered += f"^{ndc}^{name}^NDC"
    volume = immunization.dose_volume_ml or product.dose_volume_ml
    rxa = {1: "0", 2: "1", 3: given, 4: given,  # RXA-4: the guide's RE; the 2.5.1 schema requires it
           5: administered, 6: _amount(volume), 7: "mL^mL^UCUM" if volume is not None else "",
           9: "00^New immunization record^NIP001", 10: _person(immunization.given_by, authority),
           11: _administered_at(location), 15: hl7_escape(lot.lot_number), 16: _day(lot.expiration_date),
           17: f"{product.mvx}^{MANUFACTURER_TEXT.get(product.mvx, product.mvx)}^MVX" if product.mvx else "",
           20: "CP", 21: action.value}
    rxr = {1: f"{immunization.route}^{ROUTE_TEXT.get(immunization.route, immunization.route)}^NCIT",
           2: f"{immunization.site}^{SITE_TEXT.get(immunization.site, immunization.site)}^HL70163"}

    day = _day(immunization.administered_on)
    segments = [
        ("ORC", orc), ("RXA", rxa), ("RXR", rxr),
        _observation(1, kind="CE", code="64994-7^Vaccine funding program eligibility category^LN",
                     value="V01^Not VFC eligible^HL70064", day=day,
                     method="VXC40^Eligibility captured at the immunization level^CDCPHINVS"),
        _observation(2, kind="CE", code="30963-3^Vaccine funding source^LN", value="VXC1^Federal funds^CDCPHINVS",
                     day=day),
        _observation(3, kind="NM", code="30973-2^Dose number in series^LN", value=str(immunization.dose_number),
                     units="NA^^HL70353", day=day),
    ]
    if product.series_doses:
        complete = immunization.dose_number >= product.series_doses
        segments.append(_observation(4, kind="CE", code="59783-1^Status in immunization series^LN",
                                     value="Y^Yes^CDCPHINVS" if complete else "N^No^CDCPHINVS", day=day))
    return segments


def _responsible_organization(organization) -> str:
    """MSH-22 (XON), pre-adopted from v2.7 by the guide: the organization's name, the assigning
    authority and its identifier."""
    return _components(hl7_escape(organization.name), "", "", "", "", settings.CVMS_HL7_SENDING_FACILITY, "XX",
                       "", "", str(organization.pk))


_ADDRESS = ("address_line1", "address_line2", "city", "state", "zip_code", "county")
#: What a message reads, and nothing more: a dose with six related rows is read in one short query.
_READ = (
    "status", "administered_at", "administered_on", "dose_number", "dose_volume_ml", "route", "site",
    *(f"recipient__{name}" for name in ("first_name", "last_name", "date_of_birth", "sex", "race", "phone", "email",
                                        "ethnicity", *_ADDRESS)),
    "lot__lot_number", "lot__expiration_date",
    *(f"lot__product__{name}" for name in ("display_name", "cvx", "ndc_unit_of_use", "ndc_unit_of_sale",
                                           "dose_volume_ml", "mvx", "series_doses")),
    *(f"location__{name}" for name in ("name", "vtrcks_pin", *_ADDRESS)), "location__organization__name",
    "given_by__first_name", "given_by__last_name", "recorded_by__first_name", "recorded_by__last_name",
)


def _load(immunization: Immunization) -> Immunization:
    return (Immunization.objects.select_related("recipient", "lot__product", "location__organization", "given_by",
                                                "recorded_by").only(*_READ).get(pk=immunization.pk))


def _build(record: Immunization, *, action: VxuAction | None, control_id: str | None,
           now: datetime.datetime | None) -> str:
    now = now or timezone.now()
    try:
        segments = [
            ("MSH", _header(control_id=control_id or uuid.uuid4().hex[:20].upper(), now=now,
                            organization=record.location.organization)),
            ("PID", _patient(record.recipient)),
            ("PD1", {16: "A", 17: _day(timezone.localdate(now))}),  # active in the registry, since
            *_order(record, action or vxu_action(record)),
        ]
        return er7_check(segments)
    except (HL7apyException, ValueError) as error:
        raise VxuBuildError(f"Immunization {record.pk}: {error}") from error


def _without_msh_22(er7: str) -> str:
    header, _, rest = er7.partition("\r")
    return "|".join(header.split("|")[:21]) + "\r" + rest


def vxu_build(immunization: Immunization, *, action: VxuAction | None = None, control_id: str | None = None,
              now: datetime.datetime | None = None) -> Message:
    """The message as hl7apy holds it, parsed and validated strictly against the 2.5.1 schema
    (without MSH-22, which that schema does not have)."""
    er7 = _build(_load(immunization), action=action, control_id=control_id, now=now)
    return strictly_validated(_without_msh_22(er7))


def vxu_message(immunization: Immunization, *, action: VxuAction | None = None, control_id: str | None = None,
                now: datetime.datetime | None = None) -> str:
    """The VXU^V04 for ``immunization`` in ER7, segments split by ``\\r``. ``action`` (RXA-21) is
    read from the record when not given: ``D`` entered in error, ``U`` corrected, else ``A``; the
    reporting outbox passes the kind of change it reports. ``control_id`` (MSH-10) is new for every
    message unless given. Built as text and checked with hl7apy's strict types and, once per shape
    of message, its strict validation (``hl7_check``): a value the schema refuses is a
    ``VxuBuildError``."""
    return _build(_load(immunization), action=action, control_id=control_id, now=now)
