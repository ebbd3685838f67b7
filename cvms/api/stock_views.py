"""A location's lots and stock movements, for scanners and pharmacy systems: the inventory services
and their rules, one view per operation. Every write takes an ``Idempotency-Key`` header: a retry
answers with the first movement and the same status, and a key reused for another movement is 422."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cvms.api import stock_serializers as s
from cvms.api.access import access_stock_location_by_user, access_stock_lot_by_user
from cvms.api.idempotency import idempotency_key, key_header
from cvms.core.errors import ServiceError
from cvms.inventory.models import StockLedgerEntry
from cvms.inventory.roles import ADJUST_ROLES, STOCK_ROLES
from cvms.inventory.selectors import lots_at
from cvms.inventory.services.stock import entry_reverse, lot_adjust, lot_receive, lot_return, lot_waste
from cvms.organizations.models import StorageUnit

#: Wastage and returns take ``quantity`` (in ``unit``); the service's refusals speak of doses.
_QUANTITY = {"doses": "quantity"}
_WRITE = {"parameters": [key_header("movement")], "responses": {201: s.LedgerEntrySerializer}}


def _recorded(request, serializer_class, record, fields=None) -> Response:
    """Check the body, call ``record(data, key)`` (a service), answer with the entry or the refusal
    beside the field it names (``fields`` renames a service's field to this body's)."""
    key = idempotency_key(request)
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        entry = record(data.validated_data, key)
    except ServiceError as refusal:
        if refusal.field == "idempotency_key":
            return Response({"Idempotency-Key": [str(refusal)]}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        field = (fields or {}).get(refusal.field, refusal.field) or "non_field_errors"
        return Response({field: [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
    return Response(s.LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=s.LotSerializer(many=True), summary="A location's lots: on hand, reserved, available")
@api_view(["GET"])
def lot_list(request, location_id: int):
    lots = lots_at(access_stock_location_by_user(request.user, location_id))
    return Response(s.LotSerializer(lots, many=True).data)


@extend_schema(responses=s.LotDetailSerializer, summary="One lot with its ledger")
@api_view(["GET"])
def lot_detail(request, location_id: int, lot_id: int):
    return Response(s.LotDetailSerializer(access_stock_lot_by_user(request.user, location_id, lot_id)).data)


@extend_schema(request=s.ReceiveInputSerializer, summary="Receive a shipment of one lot", **_WRITE)
@api_view(["POST"])
def stock_receive(request, location_id: int):
    location = access_stock_location_by_user(request.user, location_id, STOCK_ROLES)

    def record(data, key):
        unit = data.get("storage_unit") and StorageUnit.objects.filter(pk=data["storage_unit"]).first()
        if data.get("storage_unit") and unit is None:
            raise ServiceError(_("Choose a storage unit of this location."), field="storage_unit")
        lot_receive(location=location, product=data["product"], lot_number=data["lot_number"],
                    expiration_date=data["expiration_date"], vials=data.get("vials"), doses=data.get("doses"),
                    storage_unit=unit or None, actor=request.user, idempotency_key=key)
        return StockLedgerEntry.objects.get(idempotency_key=key)

    return _recorded(request, s.ReceiveInputSerializer, record)


def _lot_movement(request, location_id: int, lot_id: int, serializer_class, service, roles=STOCK_ROLES,
                  fields=None) -> Response:
    """A movement of one lot through ``service`` (``lot_waste`` and the like)."""
    lot = access_stock_lot_by_user(request.user, location_id, lot_id, roles)
    return _recorded(request, serializer_class,
                     lambda data, key: service(lot=lot, actor=request.user, idempotency_key=key, **data), fields)


@extend_schema(request=s.WasteInputSerializer, summary="Record doses wasted, with a reason code", **_WRITE)
@api_view(["POST"])
def stock_waste(request, location_id: int, lot_id: int):
    return _lot_movement(request, location_id, lot_id, s.WasteInputSerializer, lot_waste, fields=_QUANTITY)


@extend_schema(request=s.ReturnInputSerializer, summary="Record doses returned to the distributor", **_WRITE)
@api_view(["POST"])
def stock_return(request, location_id: int, lot_id: int):
    return _lot_movement(request, location_id, lot_id, s.ReturnInputSerializer, lot_return, fields=_QUANTITY)


@extend_schema(request=s.AdjustInputSerializer, summary="Adjust the lot's total doses (Location Managers)", **_WRITE)
@api_view(["POST"])
def stock_adjust(request, location_id: int, lot_id: int):
    return _lot_movement(request, location_id, lot_id, s.AdjustInputSerializer, lot_adjust, roles=ADJUST_ROLES)


@extend_schema(request=s.CorrectionInputSerializer, summary="Correct an entry by reversing it", **_WRITE)
@api_view(["POST"])
def stock_correct(request, location_id: int, lot_id: int):
    lot = access_stock_lot_by_user(request.user, location_id, lot_id, STOCK_ROLES)

    def record(data, key):
        entry = lot.ledger.filter(pk=data["entry"]).first()
        if entry is None:
            raise ServiceError(_("This lot's ledger has no entry %(entry)s.") % {"entry": data["entry"]},
                               field="entry")
        entry.lot = lot
        return entry_reverse(entry=entry, note=data["note"], actor=request.user, idempotency_key=key)

    return _recorded(request, s.CorrectionInputSerializer, record)
