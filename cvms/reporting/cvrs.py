"""The CDC COVID-19 Vaccination Reporting Specification (CVRS) record of an immunization: the 45
fields in the specification's order and formats, and the check of each record against its value
sets before it is written (``cvrs_problems``)."""

import re

from django.utils.translation import gettext as _

from cvms.organizations.choices import LocationType
from cvms.reporting.fips import county_fips
from cvms.reporting.models import CvrsExtractType

FIELDS = (
    "vax_event_id", "ext_type", "pprl_id", "recip_id", "recip_first_name", "recip_middle_name", "recip_last_name",
    "recip_dob", "recip_sex", "recip_address_street", "recip_address_street_2", "recip_address_city",
    "recip_address_county", "recip_address_state", "recip_address_zip", "recip_race_1", "recip_race_2",
    "recip_race_3", "recip_race_4", "recip_race_5", "recip_race_6", "recip_ethnicity", "admin_date", "cvx", "ndc",
    "mvx", "lot_number", "vax_expiration", "vax_admin_site", "vax_route", "dose_num", "vax_series_complete",
    "responsible_org", "admin_name", "vtrcks_prov_pin", "admin_type", "admin_address_street",
    "admin_address_street_2", "admin_address_city", "admin_address_county", "admin_address_state",
    "admin_address_zip", "vax_refusal", "cmorbid_status", "serology",
)
assert len(FIELDS) == 45

REDACTED = "Redacted"
#: Redacted in the redacted model, "required if known" in the identified one.
REDACTED_FIELDS = ("recip_first_name", "recip_middle_name", "recip_last_name", "recip_address_street",
                   "recip_address_street_2", "recip_address_city")
EXT_TYPE = {CvrsExtractType.REDACTED: "D", CvrsExtractType.IDENTIFIED: "I"}

# Value sets (CVRS v2/v3; CDC IIS open tools' extract validator).
SEX = {"M", "F", "U"}
RACE = {"1002-5", "2028-9", "2076-8", "2054-5", "2106-3", "2131-1", "UNK", "POL"}
ETHNICITY = {"2135-2", "2186-5", "UNK", "POL"}
SITE = {"LT", "LA", "LD", "LG", "LVL", "LLFA", "RT", "RA", "RD", "RG", "RVL", "RLFA"}
ROUTE = {"C38238", "C28161", "C38284", "C38276", "C38288", "C38676", "C38299", "C38305",
         "IM", "NS", "IN", "IV", "PO", "OTH", "SC", "TD"}
DOSE_NUM = {"1", "2", "3", "4", "5", "6", "INV", "UNK"}
YES_NO_UNK = {"YES", "NO", "UNK"}
YES_NO = {"YES", "NO"}
ADMIN_TYPE = {str(number) for number in range(1, 29)} | {"UNK"}
#: COVID-19 vaccine CVX codes (CDC's list, historical and non-US ones included).
CVX = {"207", "208", "210", "211", "212", "213", "217", "218", "219", "221", "225", "227", "228", "229", "230",
       "300", "301", *(str(code) for code in range(500, 512))}
MVX = {"PFR", "MOD", "JSN", "NVX", "ASZ", "SNY"}
STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP",
    "PR", "VI", "FM", "MH", "PW",
}

#: The CVRS location type (``admin_type``) of each kind of CVMS location. Kinds that span several
#: CVRS types (long-term care of an unknown kind) are ``UNK``, which CVRS accepts.
ADMIN_TYPES = {
    LocationType.HOSPITAL: "9",
    LocationType.PHARMACY: "17",
    LocationType.PUBLIC_HEALTH_CLINIC: "19",
    LocationType.MEDICAL_PRACTICE: "12",
    LocationType.HEALTH_CENTER: "20",
    LocationType.LONG_TERM_CARE: "UNK",
    LocationType.MASS_VACCINATION: "28",
    LocationType.MOBILE: "28",
    LocationType.OTHER: "28",
}

DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
ZIP = re.compile(r"^\d{5}(-\d{4})?$")
PIN = re.compile(r"^\d{6}$")
NDC = re.compile(r"^\d{5}-\d{4}-\d{2}$")
FIPS = re.compile(r"^\d{5}$")
NOT_BLANK = re.compile(r"^\S+.*$")
NO_SPACE = re.compile(r"^\S+$")


def _text(value) -> str:
    """A value as CVRS writes it: no TAB or line break inside (each becomes a space)."""
    if value is None:
        return ""
    text = str(value)
    if "\t" in text or "\r" in text or "\n" in text:  # rare: spare the other records three replaces
        text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return text.strip()


def _zip(value: str) -> str:
    digits = value.strip()
    return f"{digits[:5]}-{digits[5:]}" if re.fullmatch(r"\d{9}", digits) else digits


def _series_complete(dose_number: int, series_doses: int | None) -> str:
    if not series_doses:
        return "UNK"
    return "YES" if dose_number >= series_doses else "NO"


_ADDRESS = ("address_line1", "address_line2", "city", "county", "state", "zip_code")
#: What ``cvrs_record`` reads of an immunization and its related rows, and nothing more (for
#: ``QuerySet.only`` with ``select_related`` of the recipient, lot and product, location and organization).
READ = (
    "administered_on", "dose_number", "route", "site",
    *(f"recipient__{name}" for name in ("first_name", "last_name", "date_of_birth", "sex", "race", "ethnicity",
                                        *_ADDRESS)),
    "lot__lot_number", "lot__expiration_date",
    *(f"lot__product__{name}" for name in ("cvx", "mvx", "ndc_unit_of_use", "series_doses")),
    *(f"location__{name}" for name in ("name", "vtrcks_pin", "location_type", *_ADDRESS)),
    "location__organization__name",
)


def cvrs_record(immunization, *, extract_type: str) -> dict[str, str]:
    """The 45 fields of ``immunization`` (with its recipient, lot and product, and location and
    organization read) as the extract writes them."""
    recipient, lot, location = immunization.recipient, immunization.lot, immunization.location
    product = lot.product
    races = list(dict.fromkeys(recipient.race or []))[:6] or ["UNK"]
    identified = extract_type == CvrsExtractType.IDENTIFIED
    record = {
        "vax_event_id": str(immunization.pk),
        "ext_type": EXT_TYPE[extract_type],
        "pprl_id": "",
        "recip_id": str(recipient.pk),
        "recip_first_name": recipient.first_name,
        "recip_middle_name": "",
        "recip_last_name": recipient.last_name,
        "recip_dob": recipient.date_of_birth.isoformat(),
        "recip_sex": recipient.sex or "U",
        "recip_address_street": recipient.address_line1,
        "recip_address_street_2": recipient.address_line2,
        "recip_address_city": recipient.city,
        "recip_address_county": county_fips(recipient.county, state=recipient.state),
        "recip_address_state": recipient.state.upper(),
        "recip_address_zip": _zip(recipient.zip_code),
        **{f"recip_race_{number}": races[number - 1] if number <= len(races) else "" for number in range(1, 7)},
        "recip_ethnicity": recipient.ethnicity or "UNK",
        "admin_date": immunization.administered_on.isoformat(),
        "cvx": product.cvx,
        "ndc": product.ndc_unit_of_use[0] if product.ndc_unit_of_use else "",
        "mvx": product.mvx,
        "lot_number": lot.lot_number,
        "vax_expiration": lot.expiration_date.isoformat(),
        "vax_admin_site": immunization.site,
        "vax_route": immunization.route,
        "dose_num": str(immunization.dose_number),
        "vax_series_complete": _series_complete(immunization.dose_number, product.series_doses),
        "responsible_org": location.organization.name,
        "admin_name": location.name,
        "vtrcks_prov_pin": location.vtrcks_pin,
        "admin_type": ADMIN_TYPES.get(location.location_type, "UNK"),
        "admin_address_street": location.address_line1,
        "admin_address_street_2": location.address_line2,
        "admin_address_city": location.city,
        "admin_address_county": county_fips(location.county, state=location.state),
        "admin_address_state": location.state.upper(),
        "admin_address_zip": _zip(location.zip_code),
        "vax_refusal": "NO",
        "cmorbid_status": "UNK",
        "serology": "UNK",
    }
    if not identified:
        record.update(dict.fromkeys(REDACTED_FIELDS, REDACTED))
    return {field: _text(record[field]) for field in FIELDS}


#: Each field's rule: required or not, and the value set or pattern a value must match.
RULES: dict[str, tuple[bool, object]] = {
    "vax_event_id": (True, NO_SPACE), "ext_type": (True, {"D", "I", "P"}), "recip_id": (True, NO_SPACE),
    "recip_dob": (True, DATE), "recip_sex": (True, SEX), "recip_address_county": (False, FIPS),
    "recip_address_state": (False, STATES), "recip_address_zip": (False, ZIP),
    "recip_race_1": (True, RACE), **{f"recip_race_{number}": (False, RACE) for number in range(2, 7)},
    "recip_ethnicity": (True, ETHNICITY), "admin_date": (True, DATE), "cvx": (True, CVX), "ndc": (False, NDC),
    "mvx": (False, MVX), "vax_expiration": (False, DATE), "vax_admin_site": (False, SITE),
    "vax_route": (False, ROUTE), "dose_num": (True, DOSE_NUM), "vax_series_complete": (True, YES_NO_UNK),
    "responsible_org": (True, NOT_BLANK), "admin_name": (True, NOT_BLANK), "vtrcks_prov_pin": (False, PIN),
    "admin_type": (True, ADMIN_TYPE), "admin_address_county": (False, FIPS), "admin_address_state": (False, STATES),
    "admin_address_zip": (False, ZIP), "vax_refusal": (True, YES_NO), "cmorbid_status": (True, YES_NO_UNK),
    "serology": (True, YES_NO_UNK),
}


def _matches(rule, value: str) -> bool:
    if isinstance(rule, set):
        return value.upper() in rule
    return bool(rule.match(value))


def cvrs_problems(record: dict[str, str]) -> list[dict[str, str]]:
    """The fields of ``record`` that break the specification: a required field empty, or a value
    outside its value set or format. Empty means the record may be written."""
    problems = []
    for field, (required, rule) in RULES.items():
        value = record[field]
        if value == "" and not required:
            continue
        if value == "" or not _matches(rule, value):
            problems.append({"field": field, "value": value})
    if record["ext_type"] == "D":
        problems += [{"field": field, "value": record[field]} for field in REDACTED_FIELDS
                     if record[field] != REDACTED]
    return problems


def cvrs_problem_text(problem: dict[str, str]) -> str:
    if problem["value"] == "":
        return _("%(field)s is required but empty") % problem
    return _("%(field)s is not a valid value: “%(value)s”") % problem
