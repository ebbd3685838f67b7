"""Reference data shipped with CVMS: the CDC-coded COVID-19 vaccine products."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from cvms.core.audit import audit_log
from cvms.inventory.models import VaccineProduct

PRODUCTS_CSV = Path(__file__).parent / "fixtures" / "vaccine_products.csv"

_INT = {"min_age_months", "max_age_months", "doses_per_vial", "storage_ult_c_min", "storage_ult_c_max",
        "storage_freezer_c_min", "storage_freezer_c_max", "storage_fridge_days", "room_temp_hours",
        "post_puncture_hours", "series_doses", "min_interval_days"}
_DECIMAL = {"dose_volume_ml", "dose_mcg", "diluent_ml"}
_DATE = {"active_from", "active_to"}


def _product_fields(row: dict[str, str]) -> dict:
    fields = {}
    for name, raw in row.items():
        value = raw.strip()
        if name in ("product_key", "ndc_uos", "ndc_uou"):
            continue
        if name in _INT:
            fields[name] = int(value) if value else None
        elif name in _DECIMAL:
            fields[name] = Decimal(value) if value else None
        elif name in _DATE:
            fields[name] = value or None
        else:
            fields[name] = value
    fields["ndc_unit_of_sale"] = row["ndc_uos"].split()
    fields["ndc_unit_of_use"] = row["ndc_uou"].split()
    fields["is_orderable"] = bool(fields["mvx"]) and not fields["active_to"]
    return fields


def load_vaccine_products(path: Path = PRODUCTS_CSV) -> tuple[int, int]:
    """Insert or update every product in the fixture; returns (created, updated)."""
    created = updated = 0
    with open(path, newline="", encoding="utf-8") as handle, transaction.atomic():
        for row in csv.DictReader(handle):
            product, was_created = VaccineProduct.objects.update_or_create(
                key=row["product_key"], defaults=_product_fields(row)
            )
            created += was_created
            updated += not was_created
        audit_log(integration="load_reference_data", action="registry.reference.loaded",
                  changes={"vaccine_products_created": created, "vaccine_products_updated": updated})
    return created, updated
