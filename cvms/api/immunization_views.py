"""Doses given at a location, for scanner apps and electronic health records: the immunization
service and its rules, one view per operation. Recording a dose takes an ``Idempotency-Key``
header: a retry answers with the first record, a key reused for another dose is 422. Warnings the
person recording must see answer 409 and list them; the same body with ``confirm: true`` saves."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cvms.api import immunization_serializers as s
from cvms.api.access import access_immunization_by_user, access_stock_location_by_user
from cvms.api.idempotency import idempotency_key, key_header, scoped_key
from cvms.core.errors import ServiceError
from cvms.immunizations.models import Immunization
from cvms.immunizations.references import Known, known_by_id, lot_named, recipient_named, vaccinator_named
from cvms.immunizations.roles import ADMINISTER_ROLES
from cvms.immunizations.services.administer import (
    BATCH_MAX,
    NeedsConfirmation,
    immunization_mark_entered_in_error,
    immunization_record,
    immunization_record_each,
)

_REFUSED = OpenApiResponse(description="A refusal: the message beside the field it names; nothing is saved")
_WARNED = OpenApiResponse(description="Warnings under confirm (and the codes of a paper record's flags under flags): "
                                      "send the same body with confirm true to save")


def _lot_field(data: dict) -> str:
    return next((name for name in ("lot_id", "lot_number", "barcode") if name in data), "lot_id")


def _refusal(refusal: ServiceError, lot_field: str, key_field: str = "Idempotency-Key") -> tuple[int, dict]:
    """A refusal as a status and the body that names its field (the one the caller sent for a lot)."""
    if isinstance(refusal, NeedsConfirmation):
        return status.HTTP_409_CONFLICT, {"confirm": refusal.notes, "flags": [code for code, _values in refusal.flags]}
    if refusal.field == "idempotency_key":
        return status.HTTP_422_UNPROCESSABLE_ENTITY, {key_field: [str(refusal)]}
    field = {"lot": lot_field, "actor": "non_field_errors"}.get(refusal.field, refusal.field) or "non_field_errors"
    return status.HTTP_400_BAD_REQUEST, {field: [str(refusal)]}


def _record_call(request, location, data: dict, key: str, known: Known | None = None) -> dict:
    """The arguments of ``immunization_record`` for a dose as posted; raises the refusal of a
    recipient, lot or vaccinator that is not there."""
    recipient = recipient_named(recipient_id=data.get("recipient_id"), known=known, **data.get("recipient", {}))
    lot = lot_named(location=location, lot_id=data.get("lot_id"), lot_number=data.get("lot_number", ""),
                    product_code=data.get("product", ""), barcode=data.get("barcode", ""), known=known)
    given_by = vaccinator_named(location=location, email=data["given_by"]) if "given_by" in data else request.user
    return {"recipient": recipient, "lot": lot, "given_by": given_by, "actor": request.user,
            "dose_number": data.get("dose_number"), "site": data.get("site"), "route": data.get("route"),
            "dose_volume_ml": data.get("dose_volume_ml"), "administered_at": data.get("administered_at"),
            "screening": data.get("screening"), "consent_given": data["consent_given"], "source": data["source"],
            "notes": data["notes"], "confirmed": data["confirm"], "idempotency_key": key}


@extend_schema(request=s.ImmunizationInputSerializer, parameters=[key_header("dose")],
               responses={201: s.ImmunizationSerializer, 400: _REFUSED, 409: _WARNED, 422: _REFUSED},
               summary="Record a dose given from a lot of this location")
@api_view(["POST"])
def immunization_create(request, location_id: int):
    location = access_stock_location_by_user(request.user, location_id, ADMINISTER_ROLES)
    key = idempotency_key(request)
    body = s.ImmunizationInputSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    try:
        dose = immunization_record(**_record_call(request, location, body.validated_data, key))
    except ServiceError as refusal:
        code, answer = _refusal(refusal, _lot_field(body.validated_data))
        return Response(answer, status=code)
    return Response(s.ImmunizationSerializer(dose).data, status=status.HTTP_201_CREATED)


def _batch_calls(request, location, items: list[dict]) -> tuple[list, list[dict]]:
    """Each item of a batch checked on its own: the arguments of its record or its refusal (a
    ``ValidationError`` of its shape, or a ``ServiceError``), and its data as checked."""
    shape = s.DoseBatchItemSerializer()
    checked = []
    for item in items:
        try:
            checked.append(shape.run_validation(item))
        except ValidationError as refusal:
            checked.append(refusal)
    valid = [data for data in checked if isinstance(data, dict)]
    known = known_by_id(location=location, recipient_ids=[d["recipient_id"] for d in valid if "recipient_id" in d],
                        lot_ids=[d["lot_id"] for d in valid if "lot_id" in d])
    calls = []
    for data in checked:
        try:
            calls.append(data if isinstance(data, ValidationError) else
                         _record_call(request, location, data, scoped_key(request, data["idempotency_key"]), known))
        except ServiceError as refusal:
            calls.append(refusal)
    return calls, [data if isinstance(data, dict) else {} for data in checked]


@extend_schema(request=s.DoseBatchInputSerializer, responses={200: s.DoseBatchSerializer, 400: _REFUSED},
               summary=f"Record up to {BATCH_MAX} doses given from lots of this location, each on its own")
@api_view(["POST"])
def immunization_batch(request, location_id: int):
    """Each dose is checked and saved on its own, in order, as if posted alone: the answer lists
    every dose's status, and the doses saved stay saved whatever happens to the others."""
    location = access_stock_location_by_user(request.user, location_id, ADMINISTER_ROLES)
    body = s.DoseBatchInputSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    calls, checked = _batch_calls(request, location, body.validated_data["doses"])
    outcomes = immunization_record_each([call for call in calls if not isinstance(call, ValidationError)])
    results = []
    for index, (call, data) in enumerate(zip(calls, checked, strict=True)):
        outcome = call if isinstance(call, ValidationError) else outcomes.pop(0)
        if isinstance(outcome, Immunization):
            results.append({"index": index, "status": 201, "immunization": s.ImmunizationSerializer(outcome).data})
        elif isinstance(outcome, ValidationError):
            results.append({"index": index, "status": 400, "errors": outcome.detail})
        else:
            code, answer = _refusal(outcome, _lot_field(data), key_field="idempotency_key")
            results.append({"index": index, "status": code, **({"errors": answer} if code != 409 else answer)})
    recorded = sum(result["status"] == 201 for result in results)
    return Response({"recorded": recorded, "not_recorded": len(results) - recorded, "results": results})


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
        code, answer = _refusal(refusal, "lot")
        return Response(answer, status=code)
    return Response(s.ImmunizationSerializer(dose).data)
