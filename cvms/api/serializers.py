import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cvms.accounts.models import Membership, User
from cvms.core import links
from cvms.core.links import link_path
from cvms.inventory.models import VaccineProduct
from cvms.organizations.models import PIN_REGEX, Location
from cvms.uploads.models import RecipientUpload


class MembershipSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name", default=None)
    location = serializers.CharField(source="location.name", default=None)
    provider_pin = serializers.CharField(source="location.provider_pin", default=None)

    class Meta:
        model = Membership
        fields = ["role", "organization", "location", "provider_pin", "is_backup"]


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "preferred_language", "memberships"]

    def get_memberships(self, user) -> list[dict]:
        active = user.memberships.active().select_related("organization", "location")
        return MembershipSerializer(active, many=True).data


class VaccineProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = VaccineProduct
        fields = ["key", "display_name", "cap_color", "label_border", "cvx", "mvx", "ndc_unit_of_sale",
                  "ndc_unit_of_use", "doses_per_vial", "dose_volume_ml", "min_age_months", "max_age_months",
                  "is_orderable"]


class LocationSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")

    class Meta:
        model = Location
        fields = ["id", "name", "provider_pin", "organization", "address_line1", "city", "state", "zip_code",
                  "county", "is_active"]


#: A location id as the API takes it: ASCII digits (not ², ①...), no sign, within bigint.
_LOCATION_ID = re.compile(r"[0-9]{1,18}")


class RecipientUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        max_length=255, help_text="CSV or XLSX with FirstName, LastName, Date of birth, Email (up to 5,000 rows)"
    )
    location = serializers.CharField(max_length=20,
                                     help_text="Provider PIN (e.g. NCA000001) or id of a location you manage")
    send_welcome = serializers.BooleanField(default=True, help_text="Email each recipient created")

    def validate_location(self, value: str) -> dict:
        """The look-up for the location named: ``{"provider_pin": ...}`` or ``{"pk": ...}``."""
        value = value.strip().upper()
        if re.match(PIN_REGEX, value):
            return {"provider_pin": value}
        if _LOCATION_ID.fullmatch(value):
            return {"pk": int(value)}
        raise serializers.ValidationError(
            _("Give the Provider PIN (for example NCA000001) or the number of a location you manage."))


class RecipientUploadSerializer(serializers.ModelSerializer):
    location = serializers.CharField(source="location.provider_pin")
    percent_done = serializers.IntegerField(read_only=True)
    failed_records_url = serializers.SerializerMethodField()

    class Meta:
        model = RecipientUpload
        fields = ["id", "status", "channel", "location", "original_name", "total_rows", "rows_done", "percent_done",
                  "checkpoint_line", "attempts", "created_count", "failed_count", "error_message", "created_at",
                  "finished_at", "failed_records_url"]

    def get_failed_records_url(self, upload) -> str | None:
        if not upload.failed_count:
            return None
        return link_path(links.UPLOAD_FAILED_RECORDS, upload.location_id, upload.pk)
