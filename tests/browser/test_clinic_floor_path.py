"""The whole clinic-floor path by keyboard alone, measured: a vaccinator finds a registered person at
check-in, checks them in, takes them from the queue, scans the vial and saves the dose. The test counts
the vaccinator's keystrokes, the characters a scanner types and the page loads, and prints them."""

import datetime

import pytest
from django.utils import timezone

from cvms.immunizations.models import CheckIn, Immunization
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.inventory.services.stock import lot_receive
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Pfizer 12+ Gray Cap carton, NDC 59267-1025-4.
PFIZER_GRAY_CARTON = "00359267102546"


def _focused_text(page) -> str:
    return page.evaluate("(document.activeElement.textContent || document.activeElement.value || '').trim()")


def test_check_in_to_saved_dose_by_keyboard_alone(page, tenant_a, password, reference_data):
    today = timezone.localdate()
    lot = lot_receive(location=tenant_a.location, product=VaccineProduct.objects.get(key="pfizer-12-gray"),
                      lot_number="FN7934", expiration_date=today + datetime.timedelta(days=90), doses=10,
                      actor=tenant_a.manager)
    person = tenant_a.recipient
    sign_in(page, tenant_a.vaccinator.email, password)
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/locations/{tenant_a.location.pk}/check-in/")

    loads = []
    page.on("load", lambda _page: loads.append(page.url))
    counted = {"vaccinator": 0, "scanner": 0}

    def press(key, times=1):
        for _ in range(times):
            counted["vaccinator"] += 1
            page.keyboard.press(key)

    def type_text(text, who="vaccinator"):
        counted[who] += len(text)
        page.keyboard.type(text)

    # Find the person: last name and date of birth in the focused search box, Enter, Down, Enter.
    type_text(f"{person.last_name} 3/14/1985")
    press("Enter")
    page.get_by_test_id("search-results").wait_for()
    press("ArrowDown")
    press("Enter")
    page.wait_for_url(f"**/recipients/{person.pk}/")
    assert_accessible(page)
    # Check them in (the record's focused button), then Tab to their "Give vaccine" in the queue.
    assert _focused_text(page) == "Check in"
    press("Enter")
    page.wait_for_url("**/check-in/")
    for _ in range(40):
        press("Tab")
        if _focused_text(page).startswith("Give vaccine"):
            break
    assert _focused_text(page).startswith("Give vaccine")
    press("Enter")
    page.wait_for_url("**/doses/new/**")
    assert_accessible(page)
    # Scan the vial (a keyboard-wedge scanner types it and presses Enter), All answers No, consent, save.
    type_text(f"]d201{PFIZER_GRAY_CARTON}17{today + datetime.timedelta(days=90):%y%m%d}10FN7934", who="scanner")
    page.keyboard.press("Enter")
    counted["scanner"] += 1
    page.get_by_test_id("scan-status").filter(has_text="Barcode read: lot FN7934").wait_for()
    press("Space")
    press("Tab")
    press("Space")
    press("Enter")
    page.wait_for_url("**/check-in/**")

    dose = Immunization.objects.get(recipient=person)
    assert dose.lot == lot and InventoryLot.objects.get(pk=lot.pk).on_hand == 9
    assert CheckIn.objects.get(recipient=person).immunization == dose
    print(f"\nCheck-in to saved dose, keyboard only: {counted['vaccinator']} keystrokes by the vaccinator "
          f"(of which {len(person.last_name) + 10} typing the search), {counted['scanner']} typed by the "
          f"scanner, {len(loads)} page loads.")
    assert len(loads) <= 6
