"""The daily file: one row per listed location and product, in the columns and order of the public
dataset "Vaccines.gov: COVID-19 vaccinating provider locations" (data.cdc.gov ``5jp2-pgaw``).

"Call to confirm" is not a value of the dataset: Vaccines.gov derives it from ``in_stock`` true with a
``quantity_last_updated`` older than 29 days. So a stale row keeps ``in_stock`` as reported and the
real (old) ``quantity_last_updated`` date, and its ``supply_level`` is -1 (no report): a supply level
nobody has confirmed within the period is not reported as current."""

import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from cvms.core.spreadsheet import csv_bytes
from cvms.vaccines_gov.choices import WEEKDAYS, SupplyLevel
from cvms.vaccines_gov.selectors import ProductRow, listed_locations, product_rows

COLUMNS = (
    "provider_location_guid", "loc_store_no", "loc_phone", "loc_name", "loc_admin_street1", "loc_admin_street2",
    "loc_admin_city", "loc_admin_state", "loc_admin_zip",
    *(field for field, _label in WEEKDAYS),
    "web_address", "pre_screen", "insurance_accepted", "walkins_accepted", "provider_notes", "ndc", "med_name",
    "in_stock", "supply_level", "quantity_last_updated", "latitude", "longitude", "category", "offers_free_masks",
    "min_age_months", "min_age_years",
)
CATEGORY = "covid"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _blank_none(value):
    return "" if value is None else value


def _row(location, settings, row: ProductRow) -> list:
    product = row.product
    min_months = product.min_age_months
    return [
        str(settings.guid), location.provider_pin, settings.public_phone, location.name, location.address_line1,
        location.address_line2, location.city, location.state, location.zip_code,
        *(getattr(settings, field) for field, _label in WEEKDAYS),
        settings.web_address, settings.pre_screen_address, _bool(settings.insurance_accepted),
        _bool(settings.walkins_accepted), settings.provider_notes,
        product.ndc_unit_of_sale[0] if product.ndc_unit_of_sale else "", product.display_name,
        _bool(row.in_stock), SupplyLevel.NO_REPORT if row.stale else row.supply_level,
        timezone.localdate(row.last_updated).isoformat() if row.last_updated else "",
        _blank_none(settings.latitude), _blank_none(settings.longitude),
        CATEGORY, "", _blank_none(min_months), "" if min_months is None else min_months // 12,
    ]


def export_rows(*, as_of: datetime.date):
    """The header, then a row per listed location and product (locations by name, products by name)."""
    yield list(COLUMNS)
    locations = list(listed_locations())
    rows = product_rows(location_ids=[location.pk for location in locations], as_of=as_of)
    for location in locations:
        for row in rows.get(location.pk, []):
            yield _row(location, location.vaccines_gov, row)


def export_csv(*, as_of: datetime.date) -> bytes:
    """The file as bytes: every cell formula-safe and quoted (``cvms.core.spreadsheet.csv_bytes``)."""
    return csv_bytes(export_rows(as_of=as_of))


def export_store(*, as_of: datetime.date, folder: str) -> str:
    """Keep the file for ``as_of`` in the private storage (no public URL), replacing one written
    earlier that day; returns its name in the storage."""
    name = f"{folder.strip('/')}/vaccines-gov-{as_of.isoformat()}.csv"
    content = export_csv(as_of=as_of)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))
