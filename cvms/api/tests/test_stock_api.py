"""The stock API: a location's lots, and receipts, wastage, returns, adjustments and corrections
through the inventory services, with idempotency keys on every write."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cvms.api import stock_views
from cvms.core.models import AuditLog
from cvms.inventory.models import InventoryLot, StockLedgerEntry
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.services.transfers import transfer_request
from cvms.inventory.tests.factories import VaccineProductFactory

SOON = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture
def lot(tenant_a):
    return lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                       expiration_date=SOON, doses=12, actor=tenant_a.manager)


def post(client, user, url, body, key="key-1"):
    client.force_login(user)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, body, content_type="application/json", **headers)


def waste_url(lot):
    return reverse("api:stock-waste", args=[lot.location_id, lot.pk])


def test_front_desk_lists_the_locations_lots_with_reserved_and_available(client, tenant_a, lot):
    transfer_request(lot=lot, to_location=tenant_a.other_location, doses=5, reason="Clinic closing",
                     actor=tenant_a.manager)
    client.force_login(tenant_a.front_desk)
    [row] = client.get(reverse("api:lots", args=[tenant_a.location.pk])).json()
    assert (row["lot_number"], row["on_hand"], row["reserved"], row["available"]) == ("FK5618", 12, 5, 7)
    assert row["product_key"] == "pfizer-12-gray" and row["expiration_date"] == SOON.isoformat()


def test_state_staff_see_any_locations_lots(client, state_reviewer, lot):
    client.force_login(state_reviewer)
    assert client.get(reverse("api:lots", args=[lot.location_id])).json()[0]["id"] == lot.pk


def test_a_lot_shows_its_ledger_newest_first(client, tenant_a, lot):
    post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 2, "reason": "broken"})
    body = client.get(reverse("api:lot", args=[lot.location_id, lot.pk])).json()
    assert [(e["kind"], e["quantity"]) for e in body["ledger"]] == [("waste", -2), ("receive", 12)]
    assert body["ledger"][0]["actor"] == tenant_a.coordinator.email


def test_a_lot_of_another_location_is_404_even_through_ones_own_location(client, tenant_a, tenant_b, lot):
    client.force_login(tenant_b.manager)
    assert client.get(reverse("api:lot", args=[tenant_b.location.pk, lot.pk])).status_code == 404
    assert post(client, tenant_b.manager, reverse("api:stock-waste", args=[tenant_b.location.pk, lot.pk]),
                {"quantity": 1, "reason": "broken"}).status_code == 404


def test_receiving_by_ndc_in_vials_creates_the_lot(client, tenant_a, reference_data):
    response = post(client, tenant_a.coordinator, reverse("api:stock-receive", args=[tenant_a.location.pk]),
                    {"product": "59267102502", "lot_number": "fn1234", "expiration_date": SOON.isoformat(),
                     "vials": 10})
    assert response.status_code == 201, response.json()
    lot = InventoryLot.objects.get(pk=response.json()["lot"])
    assert (lot.product.key, lot.lot_number, lot.on_hand) == ("pfizer-12-gray", "FN1234", 60)


@pytest.mark.parametrize("body,field", [
    ({"product": "00000-0000-00", "lot_number": "A1", "expiration_date": SOON.isoformat(), "doses": 5}, "product"),
    ({"product": "pfizer-12-gray", "lot_number": "A1", "expiration_date": "2020-01-01", "doses": 5},
     "expiration_date"),
    ({"product": "pfizer-12-gray", "lot_number": "A 1;", "expiration_date": SOON.isoformat(), "doses": 5},
     "lot_number"),
    ({"product": "pfizer-12-gray", "lot_number": "A1", "expiration_date": SOON.isoformat()}, "doses"),
    ({"product": "pfizer-12-gray", "lot_number": "A1", "expiration_date": SOON.isoformat(), "vials": 2, "doses": 5},
     "doses"),
    ({"product": "pfizer-12-gray", "lot_number": "A1", "expiration_date": SOON.isoformat(), "doses": 5,
      "storage_unit": 999999}, "storage_unit"),
])
def test_a_refused_receipt_names_the_field_and_changes_nothing(client, tenant_a, reference_data, body, field):
    response = post(client, tenant_a.manager, reverse("api:stock-receive", args=[tenant_a.location.pk]), body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not InventoryLot.objects.exists()


def test_a_write_without_an_idempotency_key_is_refused_naming_the_header(client, tenant_a, lot):
    response = post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 1, "reason": "broken"}, key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert lot.ledger.count() == 1


def test_a_retry_answers_with_the_first_movement_and_status(client, tenant_a, lot):
    first = post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 2, "reason": "broken"})
    again = post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 2, "reason": "broken"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 10
    assert AuditLog.objects.filter(action="registry.stock.waste").count() == 1


def test_the_same_key_with_another_body_is_422(client, tenant_a, lot):
    post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 2, "reason": "broken"})
    response = post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 3, "reason": "broken"})
    assert response.status_code == 422
    assert "already used for another stock movement" in response.json()["Idempotency-Key"][0]
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 10


def test_two_callers_may_use_the_same_key_without_meeting(client, tenant_a, lot):
    assert post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 1, "reason": "broken"}).status_code == 201
    assert post(client, tenant_a.manager, waste_url(lot), {"quantity": 1, "reason": "broken"}).status_code == 201
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 10


def test_wasting_more_than_available_is_refused_beside_quantity(client, tenant_a, lot):
    response = post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 3, "unit": "vials", "reason": "broken"})
    assert response.status_code == 400
    assert response.json() == {"quantity": ["Lot FK5618 does not have 18 doses on hand (it has 12)."]}


def test_other_without_a_note_is_refused_beside_the_note(client, tenant_a, lot):
    response = post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 1, "reason": "other"})
    assert (response.status_code, list(response.json())) == (400, ["note"])


def test_a_return_counts_vials_as_doses(client, tenant_a, lot):
    response = post(client, tenant_a.coordinator, reverse("api:stock-return", args=[lot.location_id, lot.pk]),
                    {"quantity": 1, "unit": "vials", "reason": "return_spoiled"})
    assert (response.status_code, response.json()["quantity"]) == (201, -6)


def test_front_desk_sees_stock_but_may_not_move_it(client, tenant_a, lot):
    assert post(client, tenant_a.front_desk, waste_url(lot), {"quantity": 1, "reason": "broken"}).status_code == 403
    assert lot.ledger.count() == 1


def test_only_location_managers_adjust_the_total(client, tenant_a, lot):
    url = reverse("api:stock-adjust", args=[lot.location_id, lot.pk])
    assert post(client, tenant_a.coordinator, url, {"doses": 1, "note": "Extra dose in vial"}).status_code == 403
    response = post(client, tenant_a.manager, url, {"doses": 1, "note": "Extra dose in vial"})
    assert (response.status_code, response.json()["quantity"]) == (201, 1)


def test_a_correction_reverses_an_entry_once(client, tenant_a, lot):
    wasted = post(client, tenant_a.coordinator, waste_url(lot), {"quantity": 2, "reason": "broken"}).json()
    url = reverse("api:stock-correct", args=[lot.location_id, lot.pk])
    body = {"entry": wasted["id"], "note": "Typed 2 for 1"}
    first = post(client, tenant_a.coordinator, url, body, key="fix-1")
    assert (first.status_code, first.json()["quantity"], first.json()["reverses"]) == (201, 2, wasted["id"])
    assert post(client, tenant_a.coordinator, url, body, key="fix-1").json() == first.json()
    again = post(client, tenant_a.coordinator, url, body, key="fix-2")
    assert (again.status_code, again.json()) == (400, {"entry": ["This entry has already been corrected."]})
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 12


def test_a_correction_of_another_lots_entry_is_refused(client, tenant_a, tenant_b, lot):
    theirs = lot_receive(location=tenant_b.location, product=lot.product, lot_number="B1", expiration_date=SOON,
                         doses=6)
    entry = StockLedgerEntry.objects.get(lot=theirs)
    response = post(client, tenant_a.coordinator, reverse("api:stock-correct", args=[lot.location_id, lot.pk]),
                    {"entry": entry.pk, "note": "Not ours"})
    assert (response.status_code, list(response.json())) == (400, ["entry"])


def test_stock_writes_answer_get_with_405(client, tenant_a, lot):
    client.force_login(tenant_a.manager)
    assert client.get(waste_url(lot)).status_code == 405


def test_stock_endpoints_are_throttled_as_the_api_is(lot):
    classes = [type(t).__name__ for t in stock_views.stock_waste.cls().get_throttles()]
    assert classes == [path.rsplit(".", 1)[1] for path in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]]


def test_the_stock_endpoints_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for path in ["/api/v1/locations/{location_id}/lots/", "/api/v1/locations/{location_id}/lots/{lot_id}/",
                 "/api/v1/locations/{location_id}/receipts/",
                 "/api/v1/locations/{location_id}/lots/{lot_id}/wastage/",
                 "/api/v1/locations/{location_id}/lots/{lot_id}/returns/",
                 "/api/v1/locations/{location_id}/lots/{lot_id}/adjustments/",
                 "/api/v1/locations/{location_id}/lots/{lot_id}/corrections/"]:
        assert path in paths
    header = paths["/api/v1/locations/{location_id}/receipts/"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in header)
