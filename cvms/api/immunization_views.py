"""Doses given at a location, for scanner apps and electronic health records: the immunization
service and its rules, one view per operation. Recording a dose takes an ``Idempotency-Key``
header: a retry answers with the first record, a key reused for another dose is 422. Warnings the
person recording must see answer 409 and list them; the same body with ``confirm: true`` saves."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cvms.api import immunization_serializers as s
from cvms.api.access import access_immunization_by_user, access_stock_location_by_user
from cvms.api.idempotency import idempotency_key, key_header
from cvms.core.errors import ServiceError
from cvms.immunizations.references import lot_named, recipient_named, vaccinator_named
from cvms.immunizations.roles import ADMINISTER_ROLES
from cvms.immunizations.services.administer import (
    NeedsConfirmation,
    immunization_mark_entered_in_error,
    immunization_record,
)

_REFUSED = OpenApiResponse(description="A refusal: the message beside the field it names; nothing is saved")
_WARNED = OpenApiResponse(description="Warnings under confirm (and the codes of a paper record's flags under flags): "
                                      "send the same body with confirm true to save")


def _refused(refusal: ServiceError, lot_field: str) -> Response:
    if refusal.field == "idempotency_key":
        return Response({"Idempotency-Key": [str(refusal)]}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    field = {"lot": lot_field, "actor": "non_field_errors"}.get(refusal.field, refusal.field) or "non_field_errors"
    return Response({field: [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)


def _record(request, location, data: dict, key: str):
    recipient = recipient_named(recipient_id=data.get("recipient_id"), **data.get("recipient", {}))
    lot = lot_named(location=location, lot_id=data.get("lot_id"), lot_number=data.get("lot_number", ""),
                    product_code=data.get("product", ""), barcode=data.get("barcode", ""))
    given_by = vaccinator_named(location=location, email=data["given_by"]) if "given_by" in data else request.user
    return immunization_record(
        recipient=recipient, lot=lot, given_by=given_by, actor=request.user, dose_number=data.get("dose_number"),
        site=data.get("site"), route=data.get("route"), dose_volume_ml=data.get("dose_volume_ml"),
        administered_at=data.get("administered_at"), screening=data.get("screening"),
        consent_given=data["consent_given"], source=data["source"], notes=data["notes"], confirmed=data["confirm"],
        idempotency_key=key)


@extend_schema(request=s.ImmunizationInputSerializer, parameters=[key_header("dose")],
               responses={201: s.ImmunizationSerializer, 400: _REFUSED, 409: _WARNED, 422: _REFUSED},
               summary="Record a dose given from a lot of this location")
@api_view(["POST"])
def immunization_create(request, location_id: int):
    location = access_stock_location_by_user(request.user, location_id, ADMINISTER_ROLES)
    key = idempotency_key(request)
    body = s.ImmunizationInputSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    lot_field = next(name for name in ("lot_id", "lot_number", "barcode") if name in body.validated_data)
    try:
        dose = _record(request, location, body.validated_data, key)
    except NeedsConfirmation as warning:
        return Response({"confirm": warning.notes, "flags": [code for code, _values in warning.flags]},
                        status=status.HTTP_409_CONFLICT)
    except ServiceError as refusal:
        return _refused(refusal, lot_field)
    return Response(s.ImmunizationSerializer(dose).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=s.ImmunizationSerializer, summary="One dose given at this location")
@api_view(["GET"])
def immunization_detail(request, location_id: int, immunization_id: int):
    return Response(s.ImmunizationSerializer(access_immunization_by_user(request.user, location_id,
                                                                         immunization_id)).data)


@extend_schema(request=s.EnteredInErrorInputSerializer, responses={200: s.ImmunizationSerializer, 400: _REFUSED},
               summary="Mark a dose entered in error; its dose goes back to the lot, once")
@api_view(["POST"])
def immunization_entered_in_error(request, location_id: int, immunization_id: int):
    dose = access_immunization_by_user(request.user, location_id, immunization_id, ADMINISTER_ROLES)
    body = s.EnteredInErrorInputSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    try:
        immunization_mark_entered_in_error(immunization=dose, actor=request.user, reason=body.validated_data["reason"])
    except ServiceError as refusal:
        return _refused(refusal, "lot")
    return Response(s.ImmunizationSerializer(dose).data)
