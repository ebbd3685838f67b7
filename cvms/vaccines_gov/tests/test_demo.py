import csv
import io

from django.utils import timezone

from cvms.demo.seed import seed_demo_everywhere
from cvms.inventory.models import InventoryLot
from cvms.organizations.models import Location
from cvms.vaccines_gov.export import export_csv
from cvms.vaccines_gov.models import LocationSettings


def test_demo_export_has_a_row_per_location_and_product_in_stock(reference_data):
    seed_demo_everywhere()
    rows = list(csv.DictReader(io.StringIO(export_csv(as_of=timezone.localdate()).decode("utf-8-sig"))))
    in_stock = {(lot.location.provider_pin, lot.product.display_name) for lot in InventoryLot.objects.filter(
        on_hand__gt=0, expiration_date__gte=timezone.localdate()).select_related("location", "product")}
    assert in_stock and {(r["loc_store_no"], r["med_name"]) for r in rows} == in_stock
    assert len(rows) == len(in_stock) and {r["in_stock"] for r in rows} == {"true"}
    assert LocationSettings.objects.filter(public_display=True).count() == Location.objects.count()
    for record in LocationSettings.objects.all():
        record.full_clean()


def test_seeding_the_demo_twice_changes_no_setting(reference_data):
    seed_demo_everywhere()
    before = list(LocationSettings.objects.values())
    seed_demo_everywhere()
    assert list(LocationSettings.objects.values()) == before
