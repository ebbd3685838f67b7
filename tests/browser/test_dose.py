"""The clinic floor's doses in the browser: a first dose given by keyboard alone (keystrokes and page
loads counted) takes the lot down by one; a second dose suggests the first one's product; a record
marked entered in error returns its dose; a paper form entered later is flagged where it does not fit
the inventory of its day. Every page passes axe and fits a phone."""

import datetime
import re

import pytest
from django.utils import timezone

from cvms.immunizations import choices as c
from cvms.immunizations.models import Immunization
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
#: A dose page's address (not the new-dose screen's).
DOSE_PAGE = re.compile(r".*/doses/[0-9]+/$")
#: Pfizer 12+ Gray Cap carton, NDC 59267-1025-4.
PFIZER_GRAY_CARTON = "00359267102546"


def _lot(tenant, number, product, doses=10):
    return lot_receive(location=tenant.location, product=product, lot_number=number,
                       expiration_date=TODAY + datetime.timedelta(days=90), doses=doses, actor=tenant.manager)


def _on_hand(lot):
    return InventoryLot.objects.get(pk=lot.pk).on_hand


def _moderna():
    return VaccineProductFactory(key="moderna-12", display_name="Moderna COVID-19 Vaccine 12+", cvx="207", mvx="MOD",
                                 doses_per_vial=10, dose_volume_ml="0.50", min_interval_days=28, default_site="RD")


def _checked(page, where: str) -> None:
    """axe on the page as it is, at the desk's width and on a phone."""
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_fits(page, where)
    page.set_viewport_size({"width": 1280, "height": 900})


def _focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


def test_a_first_dose_given_by_keyboard_alone_takes_the_lot_down_by_one(page, tenant_a, password, reference_data):
    pfizer = _lot(tenant_a, "FN7934", VaccineProduct.objects.get(key="pfizer-12-gray"))
    _lot(tenant_a, "MOD1", _moderna())
    recipient = RecipientFactory(first_name="Ana", last_name="Lopez")
    sign_in(page, tenant_a.vaccinator.email, password)
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/locations/{tenant_a.location.pk}/recipients/{recipient.pk}/doses/new/")
    _checked(page, "the administration screen")

    loads = []
    page.on("load", lambda _page: loads.append(page.url))
    keys = {"person": 0, "scanner": 0}

    def press(key):
        keys["person"] += 1
        page.keyboard.press(key)

    assert _focused(page) == "barcode"  # the page starts in the scan field
    scanned = f"]d201{PFIZER_GRAY_CARTON}17{TODAY + datetime.timedelta(days=90):%y%m%d}10FN7934"
    page.keyboard.type(scanned)  # a keyboard-wedge scanner types the barcode and presses Enter
    page.keyboard.press("Enter")
    keys["scanner"] += len(scanned) + 1
    page.get_by_test_id("scan-status").filter(has_text="Barcode read: lot FN7934").wait_for()
    assert page.locator("#id_lot").input_value() == str(pfizer.pk)
    assert _focused(page) == "screening_all_no"
    press("Space")  # All answers No
    press("Tab")
    assert _focused(page) == "consent_given"
    press("Space")  # consent
    press("Enter")  # save
    page.wait_for_url(DOSE_PAGE)

    dose = Immunization.objects.get(recipient=recipient)
    assert (dose.lot, dose.dose_number, dose.given_by) == (pfizer, 1, tenant_a.vaccinator)
    assert set(dose.screening.values()) == {"no"} and _on_hand(pfizer) == 9
    saved = page.locator(".usa-alert--success").inner_text()
    assert "Dose 1 recorded from lot FN7934: 9 doses left in the lot." in saved
    print(f"\nKeyboard-only administration, new-dose page to saved record: {keys['person']} keystrokes by the "
          f"vaccinator, {keys['scanner']} typed by the scanner, {len(loads)} page load.")
    assert (keys["person"], len(loads)) == (4, 1)
    _checked(page, "the dose page")


def test_a_second_dose_suggests_the_first_doses_product(page, tenant_a, password):
    pfizer, moderna = _lot(tenant_a, "FK5618", VaccineProductFactory()), _lot(tenant_a, "MOD1", _moderna())
    recipient = RecipientFactory()
    immunization_record(recipient=recipient, lot=pfizer, given_by=tenant_a.coordinator,
                        administered_at=timezone.now() - datetime.timedelta(days=30))
    immunization_record(recipient=RecipientFactory(), lot=moderna, given_by=tenant_a.vaccinator)  # their last lot
    sign_in(page, tenant_a.vaccinator.email, password)
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/locations/{tenant_a.location.pk}/recipients/{recipient.pk}/doses/new/")
    assert "Pfizer" in page.locator("#id_product option:checked").inner_text()
    assert page.locator("#id_lot").input_value() == str(pfizer.pk)
    assert page.locator("#id_dose_number").input_value() == "2"
    hidden = 'option => option.hidden'
    assert page.locator(f'#id_lot option[value="{moderna.pk}"]').evaluate(hidden)  # narrowed to the product
    assert "FK5618" in page.get_by_test_id("dose-history").inner_text()
    # Another product: its lots, its usual site and volume; and back.
    page.locator("#id_product").select_option(str(moderna.product_id))
    assert page.locator("#id_lot").input_value() == str(moderna.pk)
    assert page.locator(f'#id_lot option[value="{pfizer.pk}"]').evaluate(hidden)
    assert (page.locator("#id_site").input_value(), page.locator("#id_dose_volume_ml").input_value()) == ("RD", "0.50")
    page.locator("#id_product").select_option(str(pfizer.product_id))
    assert page.locator("#id_lot").input_value() == str(pfizer.pk) and page.locator("#id_site").input_value() == "LD"
    page.get_by_label("Scan the vial").focus()
    page.keyboard.press("Enter")  # an empty scan field keeps the lot shown
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url(DOSE_PAGE)
    assert recipient.immunizations.order_by("dose_number").last().lot == pfizer
    assert (_on_hand(pfizer), _on_hand(moderna)) == (8, 9)


def test_a_record_marked_entered_in_error_returns_its_dose(page, tenant_a, password):
    lot = _lot(tenant_a, "FK5618", VaccineProductFactory())
    other = _lot(tenant_a, "EW0182", VaccineProductFactory())
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    sign_in(page, tenant_a.coordinator.email, password)
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/locations/{tenant_a.location.pk}/doses/{dose.pk}/")
    _checked(page, "the dose page")

    page.get_by_test_id("correct-link").click()
    _checked(page, "the correction page")
    page.locator("#id_lot").select_option(str(other.pk))
    page.get_by_test_id("save-correction").click()
    page.wait_for_url(f"**/doses/{dose.pk}/")
    assert "EW0182" in page.get_by_test_id("dose-lot").inner_text()
    assert (_on_hand(lot), _on_hand(other)) == (10, 9)

    page.get_by_test_id("entered-in-error-link").click()
    _checked(page, "the entered-in-error page")
    page.get_by_label("Why this record is wrong").fill("Recorded for the wrong recipient")
    page.get_by_test_id("mark-entered-in-error").click()
    page.wait_for_url(f"**/doses/{dose.pk}/")
    assert page.get_by_test_id("dose-status").text_content() == "Entered in error"
    assert page.get_by_test_id("correct-link").count() == 0
    assert (_on_hand(lot), _on_hand(other)) == (10, 10)
    _checked(page, "a dose entered in error")


def test_back_entry_of_a_paper_record_flags_a_lot_not_here_that_day(page, tenant_a, password):
    lot = _lot(tenant_a, "FK5618", VaccineProductFactory())
    recipient = RecipientFactory(first_name="Rosa", last_name="Diaz")
    following = RecipientFactory(first_name="Luis", last_name="Diaz", date_of_birth=datetime.date(1960, 7, 4))
    given_on = TODAY - datetime.timedelta(days=3)  # before the lot was received here
    sign_in(page, tenant_a.vaccinator.email, password)
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/locations/{tenant_a.location.pk}/recipients/{recipient.pk}/doses/new/")
    page.get_by_test_id("paper-mode-link").click()
    page.get_by_test_id("paper-mode").wait_for()
    _checked(page, "the back-entry screen")
    assert page.get_by_label("Date given").input_value() == ""
    page.get_by_label("Date given").fill(f"{given_on:%m/%d/%Y}")
    page.get_by_label("Time given").fill("10:15")
    page.locator("label[for=id_screening_all_no]").click()
    page.locator("label[for=id_consent_given]").click()
    page.get_by_test_id("save-dose").click()

    page.get_by_test_id("dose-warnings").wait_for()
    assert "Lot FK5618 was not at this location on" in page.get_by_test_id("dose-warnings").inner_text()
    assert not Immunization.objects.exists()
    _checked(page, "the back-entry screen with its flags")
    page.locator("label[for=id_confirm]").click()
    page.get_by_test_id("save-dose").click()
    page.wait_for_url(DOSE_PAGE)
    dose = Immunization.objects.get(recipient=recipient)
    assert dose.source == c.ImmunizationSource.PAPER and dose.administered_on == given_on
    assert "was not at this location" in page.get_by_test_id("dose-flags").inner_text()
    assert page.get_by_test_id("dose-source").text_content() == "From a paper form"
    assert _on_hand(lot) == 9

    # The next form of the stack, typed: Enter on "Enter the next paper form", the name and date of birth.
    assert page.evaluate("document.activeElement.dataset.testid") == "next-paper-form"
    page.keyboard.press("Enter")
    page.wait_for_url("**/doses/paper/next/**")
    _checked(page, "the next paper form")
    page.keyboard.type("Luis")
    page.keyboard.press("Tab")
    page.keyboard.type("Diaz")
    page.keyboard.press("Tab")
    page.keyboard.type("07/04/1960")
    page.keyboard.press("Enter")
    page.get_by_test_id("paper-mode").wait_for()
    assert "Luis Diaz" in page.get_by_test_id("recipient-name").inner_text()
    assert _focused(page) == "given_time"
    assert page.get_by_label("Date given").input_value() == f"{given_on:%m/%d/%Y}"  # kept from the form before
    assert page.locator("#id_lot").input_value() == str(lot.pk)
    assert page.url.split("/recipients/")[1].startswith(f"{following.pk}/")


def test_the_screen_works_without_a_script(browser, live_server, tenant_a, password, reference_data):
    pfizer = _lot(tenant_a, "FN7935", VaccineProduct.objects.get(key="pfizer-12-gray"))
    _lot(tenant_a, "MOD1", _moderna())
    recipient = RecipientFactory()
    context = browser.new_context(base_url=live_server.url, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, tenant_a.vaccinator.email, password)
        page.goto(f"/provider/locations/{tenant_a.location.pk}/recipients/{recipient.pk}/doses/new/")
        page.keyboard.type(f"]d201{PFIZER_GRAY_CARTON}17{TODAY + datetime.timedelta(days=90):%y%m%d}10FN7935")
        page.keyboard.press("Enter")  # the scan field's own form: the page comes back with the lot chosen
        page.get_by_test_id("scan-status").filter(has_text="Barcode read: lot FN7935").wait_for()
        assert page.locator("#id_lot").input_value() == str(pfizer.pk)
        assert _focused(page) == "screening_all_no"
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        page.get_by_label("Time given").press("Enter")  # Enter in a text field saves
        page.wait_for_url(DOSE_PAGE)
        assert _on_hand(pfizer) == 9
    finally:
        context.close()
