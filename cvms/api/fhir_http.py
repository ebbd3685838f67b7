"""How the FHIR API speaks HTTP: ``application/fhir+json`` in and out, whatever the client's
Accept header, and every refusal (bad input, authentication, a throttle, not found) as an
OperationOutcome. Authentication and throttles are the API's own."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from cvms.api.fhir_resources import FhirRefusal, Issue, operation_outcome

FHIR_JSON = "application/fhir+json"

_ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
                415: "not-supported", 429: "throttled"}


class FhirJsonRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class FhirJsonParser(JSONParser):
    media_type = FHIR_JSON


class FhirNegotiation(DefaultContentNegotiation):
    """FHIR JSON is the one format served, so no Accept header is refused for it."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _text(detail) -> str:
    if isinstance(detail, dict):
        return " ".join(_text(value) for value in detail.values())
    if isinstance(detail, list):
        return " ".join(_text(value) for value in detail)
    return str(detail)


def fhir_exception_handler(exc, context):
    if isinstance(exc, FhirRefusal):
        return Response(operation_outcome(exc.issues), status=exc.status)
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_("The body is not valid JSON."))
    response = exception_handler(exc, context)
    if response is not None:
        code = _ISSUE_CODES.get(response.status_code, "processing")
        response.data = operation_outcome([Issue(code, _text(response.data.get("detail", response.data)))])
    return response


class FhirView(APIView):
    renderer_classes = [FhirJsonRenderer]
    parser_classes = [FhirJsonParser, JSONParser]
    content_negotiation_class = FhirNegotiation
    schema = None  # FHIR resources are described by the CapabilityStatement, not the API's OpenAPI schema

    def get_exception_handler(self):
        return fhir_exception_handler
