"""Lots and stock movements as the API shows and takes them. Input serializers check shapes only;
the inventory services hold every rule."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, StockLedgerEntry
from cvms.inventory.selectors import product_for_code


class LedgerEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.email", default=None)
    reverses = serializers.IntegerField(source="reverses_id", default=None)
    transfer = serializers.IntegerField(source="transfer_id", default=None)

    class Meta:
        model = StockLedgerEntry
        fields = ["id", "lot", "kind", "quantity", "at", "actor", "note", "reason", "reverses", "transfer"]


class LotSerializer(serializers.ModelSerializer):
    product_key = serializers.CharField(source="product.key")
    product = serializers.CharField(source="product.display_name")
    ndc_unit_of_sale = serializers.ListField(source="product.ndc_unit_of_sale", child=serializers.CharField())
    available = serializers.IntegerField(read_only=True)
    storage_unit = serializers.CharField(source="storage_unit.name", default=None)

    class Meta:
        model = InventoryLot
        fields = ["id", "location", "product_key", "product", "ndc_unit_of_sale", "lot_number", "expiration_date",
                  "on_hand", "reserved", "available", "storage_unit"]


class LotDetailSerializer(LotSerializer):
    ledger = serializers.SerializerMethodField(help_text="The lot's ledger, newest first (up to 200 entries).")

    class Meta(LotSerializer.Meta):
        fields = [*LotSerializer.Meta.fields, "ledger"]

    def get_ledger(self, lot) -> list[dict]:
        entries = lot.ledger.select_related("actor").order_by("-at", "-id")[:200]
        return LedgerEntrySerializer(entries, many=True).data


class ReceiveInputSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=64, help_text="Product key (e.g. pfizer-12-gray) or NDC")
    lot_number = serializers.CharField(max_length=60)
    expiration_date = serializers.DateField()
    vials = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)
    doses = serializers.IntegerField(required=False, min_value=1, max_value=10_000_000)
    storage_unit = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                            help_text="Id of a storage unit of this location")

    def validate_product(self, value: str):
        product = product_for_code(value)
        if product is None:
            raise serializers.ValidationError(_("No vaccine product has the key or NDC %(code)s.") % {"code": value})
        return product

    def validate(self, data):
        if "vials" not in data and "doses" not in data:
            raise serializers.ValidationError({"doses": _("Give the number of vials or of doses received.")})
        return data


class WasteInputSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    unit = serializers.ChoiceField(choices=c.Unit.choices, default=c.Unit.DOSES)
    reason = serializers.ChoiceField(choices=c.WasteReason.choices)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ReturnInputSerializer(WasteInputSerializer):
    reason = serializers.ChoiceField(choices=c.ReturnReason.choices)


class AdjustInputSerializer(serializers.Serializer):
    doses = serializers.IntegerField(min_value=-10_000_000, max_value=10_000_000,
                                     help_text="Signed: positive adds doses, negative removes them")
    note = serializers.CharField(max_length=500, help_text="Why the total changes")


class CorrectionInputSerializer(serializers.Serializer):
    entry = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Id of this lot's entry to reverse")
    note = serializers.CharField(max_length=500, help_text="Why the entry is wrong")
