"""Doses given, as the API shows and takes them. Input serializers check shapes only; the
immunization service holds every rule."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cvms.api.idempotency import KEY_PATTERN
from cvms.immunizations import choices as c
from cvms.immunizations.services.administer import BATCH_MAX

_ID = {"min_value": 1, "max_value": 2**63 - 1}


class ImmunizationSerializer(serializers.Serializer):
    """Declared field by field, read-only, rather than built from the model on every call (doses
    are posted hundreds of times a second)."""

    id = serializers.IntegerField(read_only=True)
    location = serializers.IntegerField(read_only=True, source="location_id")
    recipient = serializers.IntegerField(read_only=True, source="recipient_id")
    lot = serializers.IntegerField(read_only=True, source="lot_id")
    lot_number = serializers.CharField(read_only=True, source="lot.lot_number")
    product = serializers.CharField(read_only=True, source="lot.product.key", help_text="Product key")
    dose_number = serializers.IntegerField(read_only=True)
    administered_at = serializers.DateTimeField(read_only=True)
    site = serializers.ChoiceField(read_only=True, choices=c.Site.choices)
    route = serializers.ChoiceField(read_only=True, choices=c.Route.choices)
    dose_volume_ml = serializers.DecimalField(read_only=True, max_digits=4, decimal_places=2, allow_null=True)
    given_by = serializers.CharField(read_only=True, source="given_by.email")
    recorded_by = serializers.CharField(read_only=True, source="recorded_by.email", default=None)
    source = serializers.ChoiceField(read_only=True, choices=c.ImmunizationSource.choices)
    screening = serializers.DictField(read_only=True, child=serializers.CharField())
    consent_given = serializers.BooleanField(read_only=True)
    flags = serializers.ListField(read_only=True, source="flag_texts", child=serializers.CharField(),
                                  help_text="What a record from a paper form does not fit, worded")
    notes = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(read_only=True, choices=c.ImmunizationStatus.choices)
    status_reason = serializers.CharField(read_only=True)
    ledger_entry = serializers.IntegerField(read_only=True, source="ledger_entry_id", allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class RecipientInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, help_text="Legal first name (any case)")
    last_name = serializers.CharField(max_length=100, help_text="Legal last name (any case)")
    date_of_birth = serializers.DateField()


class ImmunizationInputSerializer(serializers.Serializer):
    recipient_id = serializers.IntegerField(required=False, **_ID)
    recipient = RecipientInputSerializer(required=False, help_text="Instead of recipient_id: a registered "
                                         "recipient's legal names and date of birth")
    lot_id = serializers.IntegerField(required=False, help_text="A lot of this location", **_ID)
    lot_number = serializers.CharField(required=False, max_length=60, help_text="Instead of lot_id")
    product = serializers.CharField(required=False, max_length=64,
                                    help_text="Product key or NDC, with lot_number when two products share it")
    barcode = serializers.CharField(required=False, max_length=200,
                                    help_text="Instead of lot_id: the vial's GS1 barcode data (product and lot)")
    dose_number = serializers.IntegerField(required=False, min_value=1, max_value=6,
                                           help_text="Default: the next dose of the recipient's history")
    site = serializers.ChoiceField(choices=c.Site.choices, required=False, help_text="Default: the product's")
    route = serializers.ChoiceField(choices=c.Route.choices, required=False, help_text="Default: the product's")
    dose_volume_ml = serializers.DecimalField(max_digits=4, decimal_places=2, required=False,
                                              help_text="Default: the product's")
    administered_at = serializers.DateTimeField(required=False, help_text="Default: now")
    given_by = serializers.EmailField(required=False, max_length=254,
                                      help_text="The vaccinator's sign-in email; default: the caller")
    screening = serializers.DictField(child=serializers.ChoiceField(choices=c.Answer.choices), required=False,
                                      help_text="Screening question key to yes or no")
    consent_given = serializers.BooleanField(help_text="The recipient's consent; a dose needs it")
    source = serializers.ChoiceField(choices=[(c.ImmunizationSource.API.value, c.ImmunizationSource.API.label),
                                              (c.ImmunizationSource.PAPER.value, c.ImmunizationSource.PAPER.label)],
                                     default=c.ImmunizationSource.API.value,
                                     help_text="paper: entered later from a paper form (what does not fit the lot's "
                                               "records of that day is flagged)")
    notes = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    confirm = serializers.BooleanField(default=False, help_text="Save despite the warnings a 409 listed")

    def validate(self, data):
        if ("recipient_id" in data) == ("recipient" in data):
            raise serializers.ValidationError({"recipient_id": _("Send recipient_id, or recipient with the legal "
                                                                 "first and last name and date of birth.")})
        if sum(name in data for name in ("lot_id", "lot_number", "barcode")) != 1:
            raise serializers.ValidationError({"lot_id": _("Send one of lot_id, lot_number or barcode.")})
        return data


class DoseBatchItemSerializer(ImmunizationInputSerializer):
    idempotency_key = serializers.RegexField(
        KEY_PATTERN, max_length=64,
        help_text="New for each dose (up to 64 letters, digits and . _ : -); a batch sent again answers each dose "
                  "with its first record")


class DoseBatchInputSerializer(serializers.Serializer):
    doses = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=BATCH_MAX,
                                  help_text=f"Up to {BATCH_MAX} doses, each as one dose is posted alone, with its "
                                            "idempotency_key (items are checked one by one: see the results)")


class DoseBatchResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The dose's place in the batch, from 0")
    status = serializers.IntegerField(help_text="As the dose alone would have answered: 201 saved, 400 refused, "
                                                "409 to confirm, 422 key reused")
    immunization = ImmunizationSerializer(required=False, help_text="The record (201)")
    errors = serializers.DictField(required=False, child=serializers.ListField(child=serializers.CharField()),
                                   help_text="Field to messages (400, 422)")
    confirm = serializers.ListField(required=False, child=serializers.CharField(),
                                    help_text="Warnings: send the dose again with confirm true to save it (409)")
    flags = serializers.ListField(required=False, child=serializers.CharField())


class DoseBatchSerializer(serializers.Serializer):
    recorded = serializers.IntegerField(help_text="Doses saved (including those a retry found saved before)")
    not_recorded = serializers.IntegerField(help_text="Doses refused or waiting for confirmation: nothing of them "
                                                      "was saved")
    results = DoseBatchResultSerializer(many=True)


class EnteredInErrorInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the record is wrong")
