"""The Account History, the paper forms and the loaded recipients' registration in the browser: a
Location Manager filters the doses given and exports them, downloads every paper form in both
languages, and narrows the loaded recipients to those who completed their registration; on a
desktop and on a phone, every page passing axe."""

import csv
import datetime
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cvms.immunizations import choices as c
from cvms.immunizations.services.administer import immunization_mark_entered_in_error
from cvms.immunizations.tests.history_fixtures import give, local, receive
from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _open_location(page, tenant, password):
    sign_in(page, tenant.manager.email, password)
    page.wait_for_url("**/provider/")
    page.get_by_role("link", name=tenant.location.name).click()


def test_the_account_history_filters_flags_and_exports_on_a_desktop_and_a_phone(page, tenant_a, password):
    first, second = receive(tenant_a, "FN7934"), receive(tenant_a, "EW0182")
    paper = give(tenant_a, first, local(TODAY - 2 * DAY), source=c.ImmunizationSource.PAPER,
                 recipient=RecipientFactory(first_name="Paula", last_name="Paper"))
    wrong = give(tenant_a, second, local(TODAY - DAY), recipient=RecipientFactory(first_name="Erin", last_name="Err"))
    immunization_mark_entered_in_error(immunization=wrong, reason="Wrong recipient", actor=tenant_a.manager)
    give(tenant_a, first, local(TODAY - DAY, 15), recipient=RecipientFactory(first_name="Sam", last_name="Screen"))

    _open_location(page, tenant_a, password)
    page.get_by_test_id("account-history-link").click()
    page.wait_for_url("**/account-history/")
    assert_accessible(page)
    table = page.get_by_test_id("account-history")
    assert table.locator("tbody tr").count() == 3
    assert "ENTERED IN ERROR" in table.locator(f'tr[data-immunization-id="{wrong.pk}"]').inner_text().upper()
    paper_row = table.locator(f'tr[data-immunization-id="{paper.pk}"]')
    assert paper_row.get_by_test_id("from-paper").inner_text() == "Yes"
    assert "was not at this location" in paper_row.get_by_test_id("dose-flags").inner_text()

    page.get_by_label("Lot").select_option(label=f"{first.product.display_name} — FN7934")
    page.get_by_label("Given from").fill(f"{TODAY - 5 * DAY:%m/%d/%Y}")
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url(re.compile(r"/account-history/\?"))
    assert table.locator("tbody tr").count() == 2 and "Paula" in table.inner_text() and "Erin" not in table.inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_test_id("history-export").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert [row[0] for row in rows[1:]] == ["Sam", "Paula"] and rows[2][-2] == "From a paper form"

    page.get_by_label("Given from").fill("31/31/2021")
    page.get_by_test_id("apply-filters").click()
    assert "Given from: Enter a valid date." in page.get_by_test_id("history-filters").inner_text()
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    page.goto(f"/provider/locations/{tenant_a.location.pk}/account-history/")
    assert_fits(page, "the Account History on a phone")
    assert_accessible(page)


def test_the_paper_forms_download_as_pdfs_in_english_and_spanish_on_a_phone(page, tenant_a, password):
    receive(tenant_a, "FN7934")
    page.set_viewport_size(PHONE)
    _open_location(page, tenant_a, password)
    page.get_by_test_id("paper-forms-link").click()
    page.wait_for_url("**/paper-forms/")
    assert_fits(page, "the paper forms on a phone")
    assert_accessible(page)
    expected = {"registration-en": "Date of birth", "registration-es": "Fecha de nacimiento",
                "inventory-levels-en": "Doses on hand", "inventory-levels-es": "Dosis disponibles"}
    for test_id, label in expected.items():
        with page.expect_download() as download:
            page.get_by_test_id(test_id).click()
        assert download.value.suggested_filename.endswith(f"-{test_id[-2:]}.pdf")
        reader = PdfReader(download.value.path())
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        assert label in text and "FN7934" in text, test_id


def test_the_loaded_recipients_show_and_filter_who_completed_their_registration(page, tenant_a, password):
    lot = receive(tenant_a, "FN7934")
    give(tenant_a, lot, local(TODAY - DAY), recipient=tenant_a.recipient)  # vaccinated, and registered:
    Recipient.objects.filter(pk=tenant_a.recipient.pk).update(registered_at=timezone.now())  # the form filled in
    RecipientFactory(first_name="Walter", last_name="Waiting", source_location=tenant_a.location)
    _open_location(page, tenant_a, password)
    page.get_by_test_id("bulk-registration-link").click()
    page.wait_for_url("**/bulk/")
    table = page.get_by_test_id("loaded-recipients")
    filters = page.get_by_test_id("registration-filter")
    filters.get_by_role("link", name="Completed").click()
    page.wait_for_url(re.compile("registration=completed"))
    assert table.locator("tbody tr").count() == 1
    assert table.get_by_test_id("registration").text_content() == "Completed"
    assert table.get_by_test_id("vaccination").inner_text().startswith("1 dose, on ")
    assert_accessible(page)
    filters.get_by_role("link", name="Not yet").click()
    page.wait_for_url(re.compile("registration=not_yet"))
    assert "Walter" in table.inner_text() and tenant_a.recipient.first_name not in table.inner_text()
    page.set_viewport_size(PHONE)
    assert_fits(page, "the loaded recipients on a phone")
    assert_accessible(page)
