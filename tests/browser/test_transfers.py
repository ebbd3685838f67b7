"""A transfer in the browser, from request to receipt: a coordinator asks, state staff approve in
the queue, the sender ships, the receiving location's manager receives; both locations' figures
agree with the ledger."""

import datetime

import pytest
from django.utils import timezone

from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.context.clear_cookies()


def _agrees_with_ledger(lot):
    lot = InventoryLot.objects.get(pk=lot.pk)
    return lot.on_hand == sum(lot.ledger.values_list("quantity", flat=True))


def test_request_approve_ship_and_receive_a_transfer(page, tenant_a, tenant_b, state_reviewer, password):
    for location in (tenant_a.location, tenant_b.location):
        location.is_active = True
        location.save(update_fields=["is_active"])
    lot = lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=60), doses=30,
                      actor=tenant_a.manager)

    sign_in(page, tenant_a.coordinator.email, password)
    page.wait_for_url("**/provider/")
    page.get_by_role("link", name=tenant_a.location.name).click()
    page.get_by_test_id("transfers-link").click()
    assert_accessible(page)
    page.get_by_test_id("request-transfer").click()
    assert_accessible(page)
    page.get_by_label("Lot").select_option(str(lot.pk))
    destination = page.get_by_test_id("destination").locator("input")
    destination.fill(tenant_b.location.provider_pin)
    page.get_by_role("option", name=tenant_b.location.name).click()
    page.get_by_label("Kind").select_option("transfer")
    page.get_by_label("Doses").fill("12")
    page.get_by_label("Reason").fill("Clinic B1 has none left")
    page.get_by_role("button", name="Send for approval").click()
    assert page.get_by_test_id("transfer-status").text_content() == "Awaiting state approval"
    assert_accessible(page)
    assert InventoryLot.objects.get(pk=lot.pk).reserved == 12

    _sign_out(page)
    sign_in(page, state_reviewer.email, password)
    page.goto("/provider/")
    assert "1 transfer request awaits approval" in page.get_by_test_id("queue-count").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Open the approval queue").click()
    assert_accessible(page)
    page.get_by_label("Comment on request").first.fill("Approved for the clinic")
    page.get_by_test_id("approve").first.click()
    page.wait_for_url("**/state/transfers/")
    assert "Approved, awaiting shipment" in page.content()
    assert_accessible(page)

    _sign_out(page)
    sign_in(page, tenant_a.manager.email, password)
    page.goto(f"/provider/locations/{tenant_a.location.pk}/transfers/")
    page.get_by_test_id("outgoing-transfers").get_by_role("link").first.click()
    assert_accessible(page)
    page.get_by_test_id("ship").click()
    assert page.get_by_test_id("transfer-status").text_content() == "Shipped, awaiting receipt"
    assert_accessible(page)

    _sign_out(page)
    sign_in(page, tenant_b.manager.email, password)
    page.goto(f"/provider/locations/{tenant_b.location.pk}/transfers/")
    page.get_by_test_id("incoming-transfers").get_by_role("link").first.click()
    page.get_by_label("Doses that arrived").fill("12")
    page.get_by_test_id("receive").click()
    assert page.get_by_test_id("transfer-status").text_content() == "Completed"
    assert page.get_by_test_id("received-doses").inner_text() == "12"
    assert_accessible(page)

    sent, arrived = InventoryLot.objects.get(pk=lot.pk), InventoryLot.objects.get(location=tenant_b.location)
    assert (sent.on_hand, sent.reserved, arrived.on_hand) == (18, 0, 12)
    assert _agrees_with_ledger(sent) and _agrees_with_ledger(arrived)
    page.goto(f"/provider/locations/{tenant_b.location.pk}/")
    assert "FK5618" in page.content()
