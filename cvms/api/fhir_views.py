"""The FHIR R4 API for electronic health records: the CapabilityStatement, Patient read and
search, Immunization search and create. Each caller sees the patients of the organizations where
they work (``fhir_access``); the mapping to and from FHIR is ``fhir_resources``."""

import re

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from cvms.api import fhir_resources as fhir
from cvms.api.fhir_access import (
    access_dose_by_user,
    access_patient_by_user,
    fhir_doses_for_user,
    fhir_patients_for_user,
)
from cvms.api.fhir_http import FhirView
from cvms.api.idempotency import KEY_PATTERN, scoped_key
from cvms.core.errors import ServiceError
from cvms.immunizations.services.administer import immunization_record

#: The most resources one search lists (the first, in name or time order); more are said to be there.
SEARCH_MAX = 100


def _address(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def _searchset(request, resources: list[dict], name: str, key: str) -> Response:
    return Response(fhir.searchset(resources, self_url=request.build_absolute_uri(), limit=SEARCH_MAX,
                                   full_url=lambda resource: _address(request, name, **{key: resource["id"]})))


class Metadata(FhirView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(fhir.capability_statement(base_url=request.build_absolute_uri(reverse("fhir:metadata"))
                                                  .removesuffix("/metadata"), software="CVMS"))


class PatientSearch(FhirView):
    def get(self, request):
        patients = fhir.patients_matching(fhir_patients_for_user(request.user), request.query_params)
        found = patients.order_by("last_name", "first_name", "pk")[:SEARCH_MAX + 1]
        return _searchset(request, [fhir.patient_resource(patient) for patient in found], "fhir:patient",
                          "patient_id")


class PatientRead(FhirView):
    def get(self, request, patient_id: str):
        return Response(fhir.patient_resource(access_patient_by_user(request.user, patient_id)))


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if key and not re.match(KEY_PATTERN, key):
        raise fhir.parameter_refusal("Idempotency-Key", _("The Idempotency-Key header takes up to 64 letters, "
                                                          "digits, dots, colons, hyphens or underscores."))
    return scoped_key(request, f"fhir:{key}") if key else None


class ImmunizationCollection(FhirView):
    def get(self, request):
        reference = request.query_params.get("patient", "").strip()
        if not reference:
            raise fhir.parameter_refusal("patient", _("Send the patient to search for: patient=<id>."))
        doses = fhir_doses_for_user(request.user, reference.removeprefix("Patient/"))[:SEARCH_MAX + 1]
        return _searchset(request, [fhir.immunization_resource(dose) for dose in doses], "fhir:immunization",
                          "immunization_id")

    def post(self, request):
        call = fhir.immunization_arguments(request.data, user=request.user, idempotency_key=_idempotency_key(request),
                                           confirmed=request.query_params.get("confirm") == "true")
        try:
            dose = immunization_record(**call)
        except ServiceError as refusal:
            raise fhir.service_refusal(refusal) from None
        resource = fhir.immunization_resource(dose)
        return Response(resource, status=201,
                        headers={"Location": _address(request, "fhir:immunization", immunization_id=dose.pk)})


class ImmunizationRead(FhirView):
    def get(self, request, immunization_id: str):
        return Response(fhir.immunization_resource(access_dose_by_user(request.user, immunization_id)))


class Unknown(FhirView):
    """Any other address under ``/fhir/``: a FHIR client reads why in an OperationOutcome, not in an
    HTML page."""

    permission_classes = [AllowAny]

    def not_served(self, request, *args, **kwargs):
        raise NotFound(_("This server answers metadata, Patient and Immunization only."))

    get = post = put = patch = delete = not_served
