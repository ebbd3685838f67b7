"""Stock in the browser: a Location Manager receives a lot by typing a scanned barcode, finds it on
the inventory page, wastes doses with a reason, and reads both entries in the lot's history."""

import datetime

import pytest
from django.utils import timezone

from cvms.inventory.models import InventoryLot
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Pfizer 12+ Gray Cap carton, NDC 59267-1025-4.
PFIZER_GRAY_CARTON = "00359267102546"


def test_receive_by_barcode_then_waste_and_read_the_lot_history(page, tenant_a, password, reference_data):
    expiry = timezone.localdate() + datetime.timedelta(days=200)
    sign_in(page, tenant_a.manager.email, password)
    page.wait_for_url("**/provider/")
    page.get_by_role("link", name=tenant_a.location.name).click()
    page.get_by_test_id("inventory-link").click()
    page.wait_for_url("**/inventory/")
    assert_accessible(page)
    page.get_by_test_id("receive-link").click()
    assert_accessible(page)

    # A keyboard-wedge scanner types the human-readable string and presses Enter.
    scan = page.get_by_label("Scan barcode")
    scan.fill(f"(01){PFIZER_GRAY_CARTON}(17){expiry:%y%m%d}(10)FN7934")
    scan.press("Enter")
    page.get_by_test_id("scan-status").filter(has_text="Barcode read").wait_for()
    assert page.get_by_label("Lot number").input_value() == "FN7934"
    assert page.get_by_label("Expiration date").input_value() == f"{expiry:%m/%d/%Y}"
    assert "Gray Cap" in page.locator("#id_product option:checked").inner_text()
    page.get_by_label("Vials").fill("5")
    assert page.get_by_test_id("doses-from-vials").inner_text() == "That is 30 doses."
    assert_accessible(page)
    page.get_by_test_id("record-receipt").click()

    page.wait_for_url("**/inventory/")
    assert_accessible(page)
    lot = InventoryLot.objects.get(lot_number="FN7934")
    row = page.locator(f'[data-testid=lots] tr[data-lot-id="{lot.pk}"]')
    assert "30" in row.inner_text() and "Gray Cap" in row.inner_text()

    row.get_by_role("link", name="Record wastage").click()
    assert_accessible(page)
    page.get_by_label("Wastage reason").select_option(label="Drawn but not given")
    page.get_by_label("Quantity").fill("2")
    page.locator("label[for=id_unit_0]").click()  # USWDS draws the radio button on its label
    page.get_by_role("button", name="Record wastage").click()

    page.wait_for_url(f"**/inventory/lots/{lot.pk}/")
    assert_accessible(page)
    kinds = page.get_by_test_id("entry-kind").all_inner_texts()
    assert kinds == ["Receive", "Waste"]
    assert page.get_by_test_id("on-hand").inner_text() == "28"
    assert "The ledger adds up to 28." in page.get_by_test_id("ledger-agrees").inner_text()
    assert "Drawn but not given" in page.get_by_test_id("ledger").inner_text()
    lot.refresh_from_db()
    assert lot.on_hand == sum(lot.ledger.values_list("quantity", flat=True)) == 28


def test_receive_works_without_the_script(browser, live_server, tenant_a, password, reference_data):
    expiry = timezone.localdate() + datetime.timedelta(days=200)
    context = browser.new_context(base_url=live_server.url, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, tenant_a.manager.email, password)
        page.goto(f"/provider/locations/{tenant_a.location.pk}/inventory/receive/")
        page.get_by_label("Scan barcode").fill(f"]d201{PFIZER_GRAY_CARTON}17{expiry:%y%m%d}10FN7935")
        page.get_by_label("Scan barcode").press("Enter")  # the form's first button: Read barcode
        assert page.get_by_label("Lot number").input_value() == "FN7935"
        page.get_by_label("Doses", exact=True).fill("12")
        page.get_by_test_id("record-receipt").click()
        page.wait_for_url("**/inventory/")
        assert InventoryLot.objects.get(lot_number="FN7935").on_hand == 12
    finally:
        context.close()
