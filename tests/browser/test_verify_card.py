"""A venue on a phone checks SMART Health Cards on the public verify page: a pasted code of a
trusted issuer is valid with the name and doses, an uploaded file shows each card, a damaged code
says why; the pages pass axe and fit the phone, in English and in Spanish. A recipient downloads
their PDF and card file from their home page, and the card they downloaded verifies."""

import datetime
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cvms.health_cards.tests.conftest import EXAMPLE_ISSUER, EXAMPLE_JWKS, VECTORS
from cvms.immunizations import choices as c
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_FILE = VECTORS / "valid" / "test-example-00-e-file-multi-jws.smart-health-card"


@pytest.fixture
def example_issuer_trusted(settings):
    settings.CVMS_SHC_TRUSTED_ISSUERS = json.dumps({EXAMPLE_ISSUER: str(EXAMPLE_JWKS)})


def _qr_text():
    compact = json.loads(VALID_FILE.read_text())["verifiableCredential"][0]
    return "shc:/" + "".join(f"{ord(char) - 45:02d}" for char in compact)


def test_a_venue_on_a_phone_checks_a_pasted_code_and_an_uploaded_file(page, example_issuer_trusted):
    page.set_viewport_size(PHONE)
    page.goto("/recipient/verify/")
    assert page.get_by_role("heading", level=1).inner_text() == "Verify a SMART Health Card"
    assert_accessible(page)
    assert_fits(page)

    page.get_by_label("Health card code").fill(_qr_text())
    page.get_by_role("button", name="Check the card").click()
    expect(page.get_by_role("heading", name="Valid card")).to_be_visible()
    doses = page.get_by_role("table")
    assert "John B. Anyperson" in page.content() and "0000007" in doses.inner_text()
    assert_accessible(page)
    assert_fits(page, "a valid card")

    page.get_by_label("Health card code").fill("")
    page.locator("input[type=file]").set_input_files(str(VALID_FILE))
    page.get_by_role("button", name="Check the card").click()
    expect(page.get_by_role("heading", name="Valid card")).to_have_count(2)

    page.get_by_label("Health card code").fill("shc:/5678999")
    page.get_by_role("button", name="Check the card").click()
    expect(page.get_by_role("heading", name="Not a valid card")).to_be_visible()
    assert "damaged" in page.get_by_role("alert").first.inner_text()
    assert_accessible(page)
    assert_fits(page, "a refused card")


def test_the_verify_page_reads_in_spanish(browser, live_server, example_issuer_trusted):
    context = browser.new_context(base_url=live_server.url, locale="es-US", viewport=PHONE)
    page = context.new_page()
    page.goto("/recipient/verify/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("#id_code").fill(_qr_text())
    page.locator("form.usa-form button[type=submit]").click()
    wait_for_text(page, "John B. Anyperson")
    assert_accessible(page)
    assert_fits(page)
    context.close()


def test_a_recipient_downloads_their_card_and_a_venue_verifies_it(page, tenant_a, password, tmp_path):
    lot = lot_receive(location=tenant_a.location, product=VaccineProductFactory(cvx="217", display_name="Pfizer 12+"),
                      lot_number="FW1331", expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    immunization_record(recipient=tenant_a.recipient, lot=lot, dose_number=1, site=c.Site.LEFT_ARM,
                        given_by=tenant_a.vaccinator)
    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.recipient_user.email, password)
    page.goto("/recipient/")
    assert_accessible(page)
    assert_fits(page, "the home page with its card links")
    with page.expect_download() as pdf:
        page.get_by_test_id("health-card-pdf").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as card:
        page.get_by_test_id("health-card-file").click()
    saved = tmp_path / card.value.suggested_filename
    card.value.save_as(saved)

    page.goto("/recipient/verify/")
    page.locator("input[type=file]").set_input_files(str(saved))
    page.get_by_role("button", name="Check the card").click()
    expect(page.get_by_role("heading", name="Valid card")).to_be_visible()
    assert tenant_a.recipient.last_name in page.content() and "FW1331" in page.get_by_role("table").inner_text()
    assert "Pfizer 12+" in page.get_by_role("table").inner_text()
