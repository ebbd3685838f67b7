"""The Vaccine Marketplace in the browser: a location posts an offer, a location of another
organization requests doses, the poster accepts, and the requester sees a transfer awaiting the
state's approval."""

import datetime

import pytest
from django.utils import timezone

from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, Transfer
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_marketplace(page, tenant, password):
    page.context.clear_cookies()
    sign_in(page, tenant.manager.email, password)
    page.wait_for_url("**/provider/")
    page.get_by_role("link", name=tenant.location.name).click()
    page.get_by_test_id("marketplace-link").click()
    page.wait_for_url("**/marketplace/")
    assert_accessible(page)


def test_an_offer_requested_by_another_organization_and_accepted_awaits_state_approval(page, tenant_a, tenant_b,
                                                                                       password):
    lot = lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=20), doses=120,
                      actor=tenant_a.manager)

    _open_marketplace(page, tenant_a, password)
    page.get_by_test_id("post-offer-link").click()
    assert_accessible(page)
    page.get_by_label("Lot").select_option(str(lot.pk))
    page.get_by_label("Doses offered").fill("60")
    page.get_by_label("Pickup notes").fill("Loading dock, weekdays 9-4")
    page.get_by_role("button", name="Post the offer").click()
    page.wait_for_url("**/marketplace/offers/")
    assert "Your offer is on the Vaccine Marketplace." in page.get_by_role("status").first.inner_text()
    assert_accessible(page)

    _open_marketplace(page, tenant_b, password)
    card = page.get_by_test_id("open-offers").get_by_role("listitem").filter(has_text="FK5618")
    assert "Loading dock, weekdays 9-4" in card.inner_text() and "Clinic A1" in card.inner_text()
    card.get_by_label("Doses requested").fill("25")
    card.get_by_label("Note to the offering location").fill("For Saturday's clinic")
    card.get_by_role("button", name="Request doses").click()
    page.wait_for_url("**/marketplace/requests/")
    assert "Awaiting the poster" in page.get_by_test_id("my-requests").inner_text()
    assert_accessible(page)

    _open_marketplace(page, tenant_a, password)
    page.get_by_test_id("my-offers-link").click()
    page.wait_for_url("**/marketplace/offers/")
    assert "For Saturday's clinic" in page.get_by_test_id("offer-requests").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url("**/marketplace/offers/")
    assert "awaits the Immunization Branch's approval" in page.get_by_role("status").first.inner_text()
    assert page.get_by_test_id("offer-remaining").inner_text() == "35"
    assert_accessible(page)

    transfer = Transfer.objects.get()
    assert (transfer.status, transfer.doses, transfer.to_location_id) == (c.TransferStatus.REQUESTED, 25,
                                                                          tenant_b.location.pk)
    assert InventoryLot.objects.get(pk=lot.pk).reserved == 25

    _open_marketplace(page, tenant_b, password)
    page.get_by_test_id("my-requests-link").click()
    page.wait_for_url("**/marketplace/requests/")
    status = page.get_by_test_id("request-status").inner_text()
    assert "Accepted" in status and f"Transfer #{transfer.pk}: Awaiting state approval" in status
    assert_accessible(page)


def test_a_location_managers_location_tabs_fit_a_phone(page, tenant_a, password):
    from tests.browser.conftest import PHONE, assert_fits

    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.manager.email, password)
    page.wait_for_url("**/provider/")
    for path in (f"/provider/locations/{tenant_a.location.pk}/bulk/",
                 f"/provider/locations/{tenant_a.location.pk}/marketplace/",
                 f"/provider/locations/{tenant_a.location.pk}/account-history/",
                 f"/provider/locations/{tenant_a.location.pk}/paper-forms/"):
        page.goto(path)
        # Overview, Dashboard, Check-in, Schedules, Appointments, Inventory, Transfers, Bulk Registration,
        # Upload history, Marketplace, Account History, Paper forms, Vaccines.gov.
        assert page.get_by_test_id("location-tabs").get_by_role("link").count() == 13
        assert_fits(page)
