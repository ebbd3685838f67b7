"""Records as FHIR R4 resources, and a posted FHIR Immunization as the arguments of the
immunization service. Every resource built here is checked with ``fhir.resources`` (its R4B
models: R4B is R4 for Patient, Immunization, Bundle and OperationOutcome) before it leaves; a
refusal names the element it is about (``Immunization.lotNumber``)."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.immunization import Immunization as FhirImmunization
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from pydantic.v1 import ValidationError

from cvms.api.fhir_access import access_administer_location_by_user, access_patient_by_user
from cvms.core.errors import ServiceError
from cvms.immunizations import choices as c
from cvms.immunizations.references import recipient_named
from cvms.immunizations.services.administer import NeedsConfirmation
from cvms.inventory.models import InventoryLot
from cvms.inventory.selectors import product_for_code
from cvms.inventory.services.stock import lot_number_clean
from cvms.recipients.choices import Ethnicity, Race

FHIR_VERSION = "4.0.1"
CVX = "http://hl7.org/fhir/sid/cvx"
NDC = "http://hl7.org/fhir/sid/ndc"
MVX = "http://hl7.org/fhir/sid/mvx"
ACT_SITE = "http://terminology.hl7.org/CodeSystem/v3-ActSite"
ROUTE = "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"
NCIT = "http://ncimeta.nci.nih.gov"
PERFORMER_FUNCTION = "http://terminology.hl7.org/CodeSystem/v2-0443"
UCUM = "http://unitsofmeasure.org"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
RACE_ETHNICITY = "urn:oid:2.16.840.1.113883.6.238"
NULL_FLAVOR_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
NULL_FLAVOR = {"UNK": "UNK", "POL": "ASKU"}
OMB_CATEGORIES = {"1002-5", "2028-9", "2054-5", "2076-8", "2106-3", "2135-2", "2186-5"}
#: Our routes (NCI thesaurus codes, as HL7 v2 sends them) and their HL7 v3 codes.
ROUTE_V3 = {c.Route.INTRAMUSCULAR: "IM", c.Route.SUBCUTANEOUS: "SQ", c.Route.INTRADERMAL: "IDINJ",
            c.Route.NASAL: "NASINHL", c.Route.ORAL: "PO"}
_ROUTE_BY_CODE = {**{v3: route for route, v3 in ROUTE_V3.items()}, **{route.value: route for route in c.Route}}
_GENDER = {"F": "female", "M": "male"}
_REFERENCE = re.compile(r"\A(?:.*/)?(?P<type>Patient|Location)/(?P<id>[A-Za-z0-9.-]{1,64})\Z")


@dataclass
class Issue:
    code: str  # the FHIR issue type: invalid, required, not-found, business-rule, ...
    text: str
    expression: str = ""
    severity: str = "error"


class FhirRefusal(Exception):
    """Bad input, answered as an OperationOutcome with ``status``; nothing was saved."""

    def __init__(self, status: int, *issues: Issue):
        super().__init__(issues[0].text)
        self.status = status
        self.issues = list(issues)


def _checked(model, resource: dict) -> dict:
    """``resource`` as it leaves, once ``fhir.resources`` has found it a valid R4 resource."""
    model.parse_obj(resource)
    return resource


def operation_outcome(issues: list[Issue]) -> dict:
    return _checked(OperationOutcome, {"resourceType": "OperationOutcome", "issue": [
        {"severity": issue.severity, "code": issue.code, "diagnostics": issue.text,
         **({"expression": [issue.expression]} if issue.expression else {})} for issue in issues]})


def searchset(resources: list[dict], *, self_url: str, full_url, limit: int) -> dict:
    """A searchset Bundle of the first ``limit`` of ``resources`` (the caller reads one more, to
    know): ``full_url(resource)`` is each one's address. A longer list has no total, and says so
    in an OperationOutcome entry."""
    entries = [{"fullUrl": full_url(resource), "resource": resource, "search": {"mode": "match"}}
               for resource in resources[:limit]]
    bundle = {"resourceType": "Bundle", "type": "searchset", "link": [{"relation": "self", "url": self_url}]}
    if len(resources) > limit:
        text = _("More than %(limit)d resources match: the first %(limit)d are listed. Narrow the search.")
        warning = Issue("too-costly", text % {"limit": limit}, severity="warning")
        entries.append({"resource": operation_outcome([warning]), "search": {"mode": "outcome"}})
    else:
        bundle["total"] = len(entries)
    return _checked(Bundle, {**bundle, "entry": entries})


def capability_statement(*, base_url: str, software: str) -> dict:
    search = {"code": "search-type"}
    return _checked(CapabilityStatement, {
        "resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
        "date": timezone.localdate().isoformat(), "fhirVersion": FHIR_VERSION, "format": ["application/fhir+json"],
        "software": {"name": software}, "implementation": {"description": software, "url": base_url},
        "rest": [{"mode": "server", "security": {"description": _(
            "Send an API token in the Authorization header (Authorization: Token ...). A caller sees the patients "
            "of the organizations where they work.")}, "resource": [
            {"type": "Patient", "interaction": [{"code": "read"}, search],
             "searchParam": [{"name": "family", "type": "string"}, {"name": "given", "type": "string"},
                             {"name": "birthdate", "type": "date"}]},
            {"type": "Immunization", "interaction": [{"code": "read"}, search, {"code": "create"}],
             "searchParam": [{"name": "patient", "type": "reference"}]},
        ]}],
    })


def _omb(code: str, label) -> tuple[str, dict]:
    """A race or ethnicity code as US Core's extension takes it: an OMB category (or the CDC
    code set's detail), or "unknown" / "asked, declined" of the HL7 null flavors."""
    if code in NULL_FLAVOR:
        return "ombCategory", _coding(NULL_FLAVOR_SYSTEM, NULL_FLAVOR[code], str(label))
    return ("ombCategory" if code in OMB_CATEGORIES else "detailed"), _coding(RACE_ETHNICITY, code, str(label))


def _us_core(kind: str, codes: list[str], choices) -> dict:
    labels = [choices(code).label for code in codes]
    return {"url": f"{US_CORE}us-core-{kind}",
            "extension": [{"url": url, "valueCoding": coding} for url, coding in map(_omb, codes, labels)]
            + [{"url": "text", "valueString": ", ".join(str(label) for label in labels)}]}


def patient_resource(recipient) -> dict:
    address = {"line": [line for line in (recipient.address_line1, recipient.address_line2) if line],
               "city": recipient.city, "district": recipient.county, "state": recipient.state,
               "postalCode": recipient.zip_code}
    address = {key: value for key, value in address.items() if value}
    telecom = ([{"system": "phone", "value": recipient.phone}] if recipient.phone else []) + (
        [{"system": "email", "value": recipient.email}] if recipient.email else [])
    resource = {"resourceType": "Patient", "id": str(recipient.pk),
                "name": [{"use": "official", "family": recipient.last_name, "given": recipient.first_name.split()}],
                "birthDate": recipient.date_of_birth.isoformat(),
                "gender": _GENDER.get(recipient.sex, "unknown")}
    extensions = [_us_core("race", recipient.race, Race)] if recipient.race else []
    if recipient.ethnicity:
        extensions.append(_us_core("ethnicity", [recipient.ethnicity], Ethnicity))
    if extensions:
        resource["extension"] = extensions
    if address:
        resource["address"] = [address]
    if telecom:
        resource["telecom"] = telecom
    return _checked(Patient, resource)


def _coding(system: str, code: str, display: str = "") -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def immunization_resource(dose) -> dict:
    """A dose as an Immunization (``dose`` with its lot, product, location and vaccinator read)."""
    product = dose.lot.product
    ndcs = [*product.ndc_unit_of_use, *product.ndc_unit_of_sale][:1]
    route = c.Route(dose.route)
    resource = {
        "resourceType": "Immunization", "id": str(dose.pk),
        "status": "completed" if dose.status == c.ImmunizationStatus.COMPLETED else "entered-in-error",
        "vaccineCode": {"coding": [_coding(CVX, product.cvx, product.display_name),
                                   *(_coding(NDC, ndc) for ndc in ndcs)], "text": product.display_name},
        "patient": {"reference": f"Patient/{dose.recipient_id}"},
        "occurrenceDateTime": timezone.localtime(dose.administered_at).isoformat(),
        "recorded": timezone.localtime(dose.created_at).isoformat(),
        "primarySource": True,
        "location": {"reference": f"Location/{dose.location_id}", "display": dose.location.name},
        "lotNumber": dose.lot.lot_number, "expirationDate": dose.lot.expiration_date.isoformat(),
        "site": {"coding": [_coding(ACT_SITE, dose.site, str(c.Site(dose.site).label))]},
        "route": {"coding": [*([_coding(ROUTE, ROUTE_V3[route])] if route in ROUTE_V3 else []),
                             _coding(NCIT, route.value, str(route.label))]},
        "performer": [{"function": {"coding": [_coding(PERFORMER_FUNCTION, "AP", "Administering Provider")]},
                       "actor": {"display": dose.given_by.get_full_name() or str(dose.location)}}],
        "protocolApplied": [{"doseNumberPositiveInt": dose.dose_number,
                             **({"seriesDosesPositiveInt": product.series_doses} if product.series_doses else {})}],
    }
    if product.mvx:
        resource["manufacturer"] = {"identifier": {"system": MVX, "value": product.mvx}}
    if dose.dose_volume_ml is not None:
        resource["doseQuantity"] = {"value": float(dose.dose_volume_ml), "unit": "mL", "system": UCUM, "code": "mL"}
    return _checked(FhirImmunization, resource)


# -- A search's parameters --

_BIRTHDATE = re.compile(r"\A(?:eq)?(\d{4}-\d{2}-\d{2})\Z", re.ASCII)


def parameter_refusal(parameter: str, text: str) -> FhirRefusal:
    return FhirRefusal(400, Issue("invalid", text, parameter))


def patients_matching(patients, parameters):
    """``patients`` narrowed by a Patient search: ``family`` and ``given`` start the names (any
    case), ``birthdate`` is the date (``eq`` the one prefix taken)."""
    for parameter, lookup in (("family", "last_name__istartswith"), ("given", "first_name__istartswith")):
        if value := parameters.get(parameter, "").strip():
            if "\x00" in value:
                raise parameter_refusal(parameter, _("Send the name without control characters."))
            patients = patients.filter(**{lookup: value[:100]})
    if birthdate := parameters.get("birthdate", "").strip():
        match = _BIRTHDATE.match(birthdate)
        try:
            patients = patients.filter(date_of_birth=datetime.date.fromisoformat(match[1] if match else ""))
        except ValueError:
            raise parameter_refusal("birthdate", _("Send birthdate as a date, YYYY-MM-DD.")) from None
    return patients


# -- A posted Immunization, as the immunization service's arguments --

def _invalid(expression: str, text: str, code: str = "invalid", status: int = 422) -> FhirRefusal:
    return FhirRefusal(status, Issue(code, text, expression))


def _structure_issues(errors: list[dict]) -> list[Issue]:
    issues = []
    for error in errors[:20]:
        path = ".".join(str(part) for part in error["loc"] if part != "__root__")
        expression = f"Immunization.{path}" if path else "Immunization"
        if error["type"] == "value_error.missing":
            issues.append(Issue("required", _("%(element)s is required.") % {"element": expression}, expression))
        elif error["type"] == "value_error.extra":
            issues.append(Issue("structure", _("%(element)s is not an element of an R4 Immunization.")
                                % {"element": expression}, expression))
        else:
            issues.append(Issue("value", _("%(element)s is not valid: %(problem)s")
                                % {"element": expression, "problem": error["msg"]}, expression))
    return issues


def _parsed(data) -> FhirImmunization:
    if not isinstance(data, dict):
        raise _invalid("Immunization", _("Send one Immunization resource as a JSON object."), "structure", 400)
    if data.get("resourceType") != "Immunization":
        raise _invalid("Immunization.resourceType", _("The resource type must be Immunization."), "structure", 400)
    try:
        return FhirImmunization.parse_obj(data)
    except ValidationError as refusal:
        raise FhirRefusal(400, *_structure_issues(refusal.errors())) from None


def _reference_id(reference, kind: str, expression: str) -> str:
    match = _REFERENCE.match((reference.reference or "") if reference is not None else "")
    if match is None or match["type"] != kind:
        raise _invalid(expression, _("Send a reference to a %(kind)s as %(kind)s/<id>.") % {"kind": kind},
                       "required" if reference is None else "invalid")
    return match["id"]


def _codes(concept, *systems: str) -> list[str]:
    return [coding.code for coding in (concept.coding or []) if coding.code and coding.system in systems]


def _administered_at(resource: FhirImmunization) -> datetime.datetime:
    when = resource.occurrenceDateTime
    if when is None:
        raise _invalid("Immunization.occurrenceDateTime", _("Send occurrenceDateTime, the time the dose was given."),
                       "required")
    if not isinstance(when, datetime.datetime) or when.tzinfo is None:
        raise _invalid("Immunization.occurrenceDateTime",
                       _("Send the time the dose was given with its time zone offset, e.g. 2021-01-15T10:30:00-05:00."))
    try:
        return timezone.localtime(when)
    except OverflowError:  # the first or last day there is, in a zone far from ours
        raise _invalid("Immunization.occurrenceDateTime", _("The time given is out of range.")) from None


def _lot(resource: FhirImmunization, location) -> InventoryLot:
    """The lot of ``location`` the dose came from: its lot number and vaccine (CVX, and NDC when
    sent), one lot or a refusal naming the element."""
    cvx = _codes(resource.vaccineCode, CVX)
    ndc = _codes(resource.vaccineCode, NDC)
    if not cvx and not ndc:
        raise _invalid("Immunization.vaccineCode", _("Send the vaccine's CVX code (system %(cvx)s), and its NDC if "
                                                     "known.") % {"cvx": CVX}, "required")
    lookup = {"location": location}
    if ndc:
        product = product_for_code(ndc[0])
        if product is None or (cvx and product.cvx != cvx[0]):
            raise _invalid("Immunization.vaccineCode", _("No vaccine product has the NDC %(ndc)s with this CVX code.")
                           % {"ndc": ndc[0]}, "code-invalid")
        lookup["product"] = product
    else:
        lookup["product__cvx"] = cvx[0]
    if not resource.lotNumber:
        raise _invalid("Immunization.lotNumber", _("Send the lot number printed on the vial."), "required")
    try:
        lookup["lot_number"] = lot_number_clean(resource.lotNumber)
    except ServiceError as refusal:
        raise _invalid("Immunization.lotNumber", str(refusal)) from None
    lots = list(InventoryLot.objects.filter(**lookup).select_related("product")[:2])
    if not lots:
        raise _invalid("Immunization.lotNumber", _("No lot %(lot)s of this vaccine is stocked at %(location)s.")
                       % {"lot": lookup["lot_number"], "location": location}, "not-found")
    if len(lots) > 1:
        raise _invalid("Immunization.vaccineCode", _("Lot %(lot)s is stocked for more than one product here: send "
                                                     "the NDC too.") % {"lot": lookup["lot_number"]})
    lots[0].location = location
    return lots[0]


def _coded(resource: FhirImmunization) -> dict:
    """Site, route, volume and dose number, when sent: the service defaults what is missing."""
    coded = {}
    if resource.site is not None:
        sites = [code for code in _codes(resource.site, ACT_SITE) if code in c.Site.values]
        if not sites:
            raise _invalid("Immunization.site", _("Send the site as a code of %(system)s, e.g. LA.")
                           % {"system": ACT_SITE}, "code-invalid")
        coded["site"] = sites[0]
    if resource.route is not None:
        routes = [_ROUTE_BY_CODE[code] for code in _codes(resource.route, ROUTE, NCIT) if code in _ROUTE_BY_CODE]
        if not routes:
            raise _invalid("Immunization.route", _("Send the route as a code of %(system)s, e.g. IM.")
                           % {"system": ROUTE}, "code-invalid")
        coded["route"] = routes[0]
    quantity = resource.doseQuantity
    if quantity is not None:
        if quantity.value is None or (quantity.code or quantity.unit or "mL") != "mL":
            raise _invalid("Immunization.doseQuantity", _("Send the dose volume in mL."))
        volume = Decimal(quantity.value)
        # Stored to the hundredth of a mL; the service refuses what is out of range.
        coded["dose_volume_ml"] = volume.quantize(Decimal("0.01")) if 0 < volume <= 2 else volume
    if resource.protocolApplied:
        number = resource.protocolApplied[0].doseNumberPositiveInt
        if number is None:
            raise _invalid("Immunization.protocolApplied.doseNumber", _("Send the dose number as a positive whole "
                                                                        "number (doseNumberPositiveInt)."))
        coded["dose_number"] = number
    return coded


def _contained_patient(resource: FhirImmunization):
    wanted = resource.patient.reference[1:]
    return next((part for part in resource.contained or []
                 if part.resource_type == "Patient" and part.id == wanted), None)


def _recipient(resource: FhirImmunization, user):
    """The patient: by id, one of the caller's organization; or, contained in the resource, a
    recipient registered anywhere in the state, by legal names and birth date (the Dose API's
    rule for one person), as a first dose at this organization needs."""
    if resource.patient is not None and (resource.patient.reference or "").startswith("#"):
        patient = _contained_patient(resource)
        name = (patient.name or [None])[0] if patient is not None else None
        born = patient.birthDate if patient is not None else None
        if name is None or not name.family or not name.given or not isinstance(born, datetime.date):
            raise _invalid("Immunization.contained", _("The contained Patient needs the legal family and given "
                                                       "names and the birth date."), "required")
        try:
            return recipient_named(first_name=" ".join(name.given), last_name=name.family, date_of_birth=born)
        except ServiceError:
            raise _invalid("Immunization.patient", _("No recipient is registered as %(name)s, born %(born)s: "
                                                     "register them first.")
                           % {"name": f"{' '.join(name.given)} {name.family}", "born": born.isoformat()},
                           "not-found") from None
    try:
        return access_patient_by_user(user, _reference_id(resource.patient, "Patient", "Immunization.patient"))
    except Http404:
        raise _invalid("Immunization.patient", _("No patient of your organization has this id."), "not-found") from None


def immunization_arguments(data, *, user, confirmed: bool, idempotency_key: str | None) -> dict:
    """The arguments of ``immunization_record`` for a posted Immunization: its patient (one the
    caller sees), the lot at its location (one where the caller gives vaccine), the caller as the
    vaccinator. Raises ``FhirRefusal`` naming the element."""
    resource = _parsed(data)
    if resource.status != "completed":
        raise _invalid("Immunization.status", _("Only a completed administration can be recorded (status "
                                                "completed)."), "business-rule")
    location_id = _reference_id(resource.location, "Location", "Immunization.location")
    location = access_administer_location_by_user(user, location_id)
    if location is None:
        raise _invalid("Immunization.location", _("You do not record doses at this location: send a location where "
                                                  "you are a vaccinator, vaccine coordinator or location manager."),
                       "forbidden")
    recipient = _recipient(resource, user)
    notes = "\n".join(note.text for note in resource.note or [] if note.text)
    if "\x00" in notes:
        raise _invalid("Immunization.note", _("Send the note without control characters."), status=400)
    return {"recipient": recipient, "lot": _lot(resource, location), "given_by": user, "actor": user,
            "administered_at": _administered_at(resource), **_coded(resource), "consent_given": True,
            "source": c.ImmunizationSource.API, "notes": notes, "confirmed": confirmed,
            "idempotency_key": idempotency_key}


#: The service's fields as the elements of a posted Immunization.
_ELEMENTS = {"lot": "Immunization.lotNumber", "lot_number": "Immunization.lotNumber",
             "doses": "Immunization.lotNumber", "given_by": "Immunization.location", "actor": "Immunization.location",
             "administered_at": "Immunization.occurrenceDateTime", "site": "Immunization.site",
             "route": "Immunization.route", "dose_volume_ml": "Immunization.doseQuantity",
             "dose_number": "Immunization.protocolApplied.doseNumber", "notes": "Immunization.note"}


def service_refusal(refusal: ServiceError) -> FhirRefusal:
    """The immunization service's refusal as an OperationOutcome: warnings to confirm are 409."""
    if isinstance(refusal, NeedsConfirmation):
        return FhirRefusal(409, *(Issue("business-rule", str(note), severity="warning") for note in refusal.notes))
    if refusal.field == "idempotency_key":
        return _invalid("Idempotency-Key", str(refusal), "duplicate")
    return _invalid(_ELEMENTS.get(refusal.field, "Immunization"), str(refusal), "business-rule")
