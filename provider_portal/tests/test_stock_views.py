"""The stock pages of a location: inventory, receive by barcode, a lot's history, wastage, returns,
adjustments and corrections, as each role sees them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.inventory.choices import LedgerKind
from cvms.inventory.models import InventoryLot, StockLedgerEntry, VaccineProduct
from cvms.inventory.services.stock import lot_receive, lot_reserve, lot_waste
from cvms.inventory.tests.factories import InventoryLotFactory, VaccineProductFactory
from cvms.organizations.models import StorageUnit

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=200)
#: Pfizer 12+ Gray Cap carton, NDC 59267-1025-4.
PFIZER_GRAY_CARTON = "00359267102546"


def _lot(tenant, lot_number="FK5618", days=200, doses=12, product=None):
    return lot_receive(location=tenant.location, product=product or VaccineProductFactory(), lot_number=lot_number,
                       expiration_date=TODAY + datetime.timedelta(days=days), doses=doses, actor=tenant.manager)


def _unit(location, name="Fridge 1"):
    return StorageUnit.objects.create(location=location, name=name, kind="refrigerator", min_temp_c=2, max_temp_c=8)


def _url(name, tenant, *args):
    return reverse(f"provider_portal:{name}", args=[tenant.location.pk, *args])


def _scan(expiry=LATER, lot="FN7934"):
    return f"]d201{PFIZER_GRAY_CARTON}17{expiry:%y%m%d}10{lot}\x1d21SN0001"


# --- Inventory page


def test_inventory_shows_on_hand_reserved_available_and_totals_per_product(client, tenant_a):
    lot = _lot(tenant_a, "AA1", doses=30)
    _lot(tenant_a, "AA2", doses=6)
    lot_reserve(lot=lot, doses=10)
    client.force_login(tenant_a.coordinator)
    response = client.get(_url("inventory", tenant_a))
    assert response.status_code == 200
    [total] = response.context["inventory"].totals
    assert (total.lots, total.on_hand, total.reserved, total.available) == (2, 36, 10, 26)
    row = response.content.decode().split(f'data-lot-id="{lot.pk}"')[1].split("</tr>")[0]
    assert ">30<" in row and ">10<" in row and ">20<" in row
    assert _url("receive", tenant_a) in response.content.decode()


def test_expiring_soon_lots_are_warned_and_expired_lots_shown_apart(client, tenant_a, settings):
    settings.CVMS_EXPIRING_SOON_DAYS = 30
    soon = _lot(tenant_a, "SOON1", days=10)
    _lot(tenant_a, "LATE1", days=200)
    old = InventoryLotFactory(location=tenant_a.location, lot_number="OLD1",
                              expiration_date=TODAY - datetime.timedelta(days=1))
    StockLedgerEntry.objects.create(lot=old, kind=LedgerKind.RECEIVE, quantity=5)
    client.force_login(tenant_a.vaccinator)
    response = client.get(_url("inventory", tenant_a))
    inventory = response.context["inventory"]
    assert [lot.lot_number for lot in inventory.expiring_soon] == ["SOON1"]
    assert [lot.lot_number for lot in inventory.expired] == ["OLD1"]
    assert "OLD1" not in [lot.lot_number for lot in inventory.current]
    body = response.content.decode()
    assert 'data-testid="expiring-soon"' in body and "1 lot expires within 30 days" in body
    assert 'data-testid="expired-lots"' in body
    assert soon.pk in [lot.pk for lot in inventory.current]


def test_lots_expiring_within_the_marketplace_window_with_doses_available_are_suggested(client, tenant_a, settings):
    settings.CVMS_MARKETPLACE_SUGGEST_DAYS = 45
    suggested = _lot(tenant_a, "MKT1", days=40)
    all_reserved = _lot(tenant_a, "MKT2", days=40, doses=6)
    lot_reserve(lot=all_reserved, doses=6)
    _lot(tenant_a, "MKT3", days=90)
    client.force_login(tenant_a.manager)
    response = client.get(_url("inventory", tenant_a))
    assert [lot.pk for lot in response.context["inventory"].suggestions] == [suggested.pk]
    assert f'id="suggest-lot-{suggested.pk}" data-lot-id="{suggested.pk}"' in response.content.decode()


def test_healthcare_providers_and_front_desk_see_stock_but_no_forms(client, tenant_a):
    lot = _lot(tenant_a)
    for user in (tenant_a.vaccinator, tenant_a.front_desk):
        client.force_login(user)
        inventory = client.get(_url("inventory", tenant_a)).content.decode()
        history = client.get(_url("lot", tenant_a, lot.pk)).content.decode()
        assert "FK5618" in inventory and "FK5618" in history
        for body in (inventory, history):
            assert "/receive/" not in body and "/waste/" not in body and "/adjust/" not in body
            assert "/correct/" not in body


def test_write_pages_refuse_healthcare_providers_and_front_desk(client, tenant_a):
    lot = _lot(tenant_a)
    entry = lot.ledger.get()
    urls = [_url("receive", tenant_a), _url("receive_scan", tenant_a), _url("lot_waste", tenant_a, lot.pk),
            _url("lot_return", tenant_a, lot.pk), _url("lot_adjust", tenant_a, lot.pk),
            _url("entry_correct", tenant_a, lot.pk, entry.pk)]
    data = {"quantity": 1, "unit": "doses", "reason": "broken", "note": "x", "doses": 1, "idempotency_key": "k"}
    for user in (tenant_a.vaccinator, tenant_a.front_desk):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code in (403, 404), url
            assert url.endswith("/scan/") or client.post(url, data).status_code in (403, 404), url
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 12 and lot.ledger.count() == 1


def test_inventory_page_queries_do_not_grow_with_the_number_of_lots(client, tenant_a):
    client.force_login(tenant_a.manager)
    product = VaccineProductFactory()
    unit = _unit(tenant_a.location)

    def queries(n):
        for i in range(n):
            lot = InventoryLotFactory(location=tenant_a.location, product=product, storage_unit=unit,
                                      expiration_date=TODAY + datetime.timedelta(days=5 + i))
            StockLedgerEntry.objects.create(lot=lot, kind=LedgerKind.RECEIVE, quantity=6)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url("inventory", tenant_a)).status_code == 200
        return len(captured)

    few = queries(2)
    assert queries(40) == few


def test_inventory_page_stays_within_a_fixed_number_of_queries(client, tenant_a, django_assert_max_num_queries):
    for i in range(25):
        _lot(tenant_a, f"Q{i}", days=5 + i)
    client.force_login(tenant_a.manager)
    with django_assert_max_num_queries(12):
        client.get(_url("inventory", tenant_a))


def test_stock_pages_send_anonymous_people_to_sign_in_and_refuse_wrong_methods(client, tenant_a):
    lot = _lot(tenant_a)
    assert client.get(_url("inventory", tenant_a)).url.startswith("/accounts/login/")
    assert client.get(_url("lot", tenant_a, lot.pk)).url.startswith("/accounts/login/")
    client.force_login(tenant_a.manager)
    assert client.post(_url("inventory", tenant_a)).status_code == 405
    assert client.post(_url("lot", tenant_a, lot.pk)).status_code == 405
    assert client.delete(_url("receive", tenant_a)).status_code == 405


def test_another_organizations_manager_gets_404_on_every_stock_page(client, tenant_a, tenant_b):
    lot = _lot(tenant_a)
    entry = lot.ledger.get()
    client.force_login(tenant_b.manager)
    for url in (_url("inventory", tenant_a), _url("receive", tenant_a), _url("lot", tenant_a, lot.pk),
                _url("lot_waste", tenant_a, lot.pk), _url("lot_adjust", tenant_a, lot.pk),
                _url("entry_correct", tenant_a, lot.pk, entry.pk)):
        assert client.get(url).status_code == 404, url


def test_a_lot_of_another_location_is_not_found_under_mine(client, tenant_a):
    elsewhere = lot_receive(location=tenant_a.other_location, product=VaccineProductFactory(), lot_number="ELSE1",
                            expiration_date=LATER, doses=6)
    client.force_login(tenant_a.manager)
    assert client.get(_url("lot", tenant_a, elsewhere.pk)).status_code == 404


# --- Receive


@pytest.mark.usefixtures("reference_data")
def test_read_barcode_fills_product_lot_and_expiry_without_recording(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(_url("receive", tenant_a), {"barcode": _scan(), "read_barcode": "1", "vials": "5",
                                                        "idempotency_key": "abc"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["product"] == VaccineProduct.objects.get(key="pfizer-12-gray").pk
    assert form.initial["lot_number"] == "FN7934" and form.initial["expiration_date"] == LATER
    assert form.initial["vials"] == "5" and form.initial["idempotency_key"] == "abc"
    assert f'value="{LATER:%m/%d/%Y}"' in response.content.decode()
    assert not InventoryLot.objects.exists()


@pytest.mark.usefixtures("reference_data")
def test_unknown_barcode_is_refused_beside_the_scan_field_showing_the_gtin(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(_url("receive", tenant_a), {"barcode": "010031234567890617300101", "read_barcode": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["barcode"] == [
        "GTIN 00312345678906 (NDC 1234567890) matches no vaccine product we know."]
    assert 'id="id_barcode-error"' in response.content.decode()


@pytest.mark.usefixtures("reference_data")
def test_scan_endpoint_answers_what_the_barcode_fills_in(client, tenant_a):
    client.force_login(tenant_a.coordinator)
    label = client.get(_url("receive_scan", tenant_a), {"barcode": _scan()}).json()
    assert label["product_name"] == "Pfizer-BioNTech COVID-19 Vaccine 12+ (Gray Cap)"
    assert (label["lot_number"], label["expiration_date"]) == ("FN7934", f"{LATER:%m/%d/%Y}")
    refused = client.get(_url("receive_scan", tenant_a), {"barcode": "hello"})
    assert refused.status_code == 400 and refused.json()["field"] == "barcode"


def _receipt(product, **extra):
    data = {"product": product.pk, "lot_number": "ek-9231", "expiration_date": f"{LATER:%m/%d/%Y}", "vials": "5",
            "idempotency_key": "form-1"}
    data.update(extra)
    return data


def test_receiving_vials_records_their_doses_in_a_storage_unit_and_audits(client, tenant_a):
    product = VaccineProductFactory()
    unit = _unit(tenant_a.location)
    client.force_login(tenant_a.coordinator)
    response = client.post(_url("receive", tenant_a), _receipt(product, storage_unit=unit.pk))
    assert response.status_code == 302 and response.url == _url("inventory", tenant_a)
    lot = InventoryLot.objects.get()
    assert (lot.lot_number, lot.on_hand, lot.storage_unit) == ("EK-9231", 30, unit)
    assert AuditLog.objects.filter(action="registry.stock.receive", actor=tenant_a.coordinator).count() == 1


def test_a_receipt_sent_twice_records_once(client, tenant_a):
    product = VaccineProductFactory()
    client.force_login(tenant_a.manager)
    for _ in range(2):
        assert client.post(_url("receive", tenant_a), _receipt(product)).status_code == 302
    assert InventoryLot.objects.get().on_hand == 30 and StockLedgerEntry.objects.count() == 1


def test_each_render_of_the_receive_form_has_its_own_key(client, tenant_a):
    client.force_login(tenant_a.manager)
    keys = {client.get(_url("receive", tenant_a)).context["form"]["idempotency_key"].value() for _ in range(2)}
    assert len(keys) == 2


def test_expired_lot_on_receipt_is_refused_beside_the_expiration_date(client, tenant_a):
    product = VaccineProductFactory()
    client.force_login(tenant_a.manager)
    yesterday = TODAY - datetime.timedelta(days=1)
    response = client.post(_url("receive", tenant_a), _receipt(product, expiration_date=f"{yesterday:%m/%d/%Y}"))
    assert response.status_code == 400
    assert "expired on" in response.context["form"].errors["expiration_date"][0]
    assert not InventoryLot.objects.exists()


def test_vials_and_doses_that_disagree_are_refused_beside_the_doses(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(_url("receive", tenant_a), _receipt(VaccineProductFactory(), doses="31"))
    assert response.status_code == 400
    assert response.context["form"].errors["doses"] == ["5 vials of Pfizer-BioNTech COVID-19 Vaccine 12+ (Gray Cap) "
                                                        "hold 30 doses, not 31."]


def test_a_receipt_without_vials_or_doses_asks_for_them(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(_url("receive", tenant_a), _receipt(VaccineProductFactory(), vials=""))
    assert response.context["form"].errors["vials"] == ["Enter the vials received, the doses, or both."]


def test_a_storage_unit_of_another_location_is_not_offered(client, tenant_a):
    foreign = _unit(tenant_a.other_location, "Elsewhere")
    client.force_login(tenant_a.manager)
    response = client.post(_url("receive", tenant_a), _receipt(VaccineProductFactory(), storage_unit=foreign.pk))
    assert response.status_code == 400 and "storage_unit" in response.context["form"].errors
    assert not InventoryLot.objects.exists()


def test_a_bad_lot_number_is_refused_beside_the_lot_number(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(_url("receive", tenant_a), _receipt(VaccineProductFactory(), lot_number="EK 92/31"))
    assert "letters, digits and hyphens" in response.context["form"].errors["lot_number"][0]


# --- Lot history


def test_lot_history_lists_the_ledger_with_running_balance_agreeing_with_on_hand(client, tenant_a):
    lot = _lot(tenant_a, doses=12)
    lot_waste(lot=lot, quantity=2, reason="broken", actor=tenant_a.manager)
    client.force_login(tenant_a.front_desk)
    response = client.get(_url("lot", tenant_a, lot.pk))
    lines = response.context["lines"]
    assert [(line.entry.kind, line.entry.quantity, line.balance) for line in lines] == [
        ("receive", 12, 12), ("waste", -2, 10)]
    assert lines[-1].balance == InventoryLot.objects.get(pk=lot.pk).on_hand
    body = response.content.decode()
    assert "Broken or dropped vial" in body and "Doses on hand now: 10." in body and "The ledger adds up to 10." in body


# --- Waste, return, adjust, correct


def test_wasting_vials_with_a_reason_takes_their_doses(client, tenant_a):
    lot = _lot(tenant_a, doses=12)
    client.force_login(tenant_a.coordinator)
    response = client.post(_url("lot_waste", tenant_a, lot.pk), {"reason": "temperature_excursion", "quantity": "1",
                                                                  "unit": "vials", "idempotency_key": "w1"})
    assert response.status_code == 302 and response.url == _url("lot", tenant_a, lot.pk)
    entry = lot.ledger.get(kind="waste")
    assert (entry.quantity, entry.reason, entry.actor) == (-6, "temperature_excursion", tenant_a.coordinator)


def test_wasting_more_than_available_says_available_and_reserved_beside_the_quantity(client, tenant_a):
    lot = _lot(tenant_a, doses=12)
    lot_reserve(lot=lot, doses=5)
    client.force_login(tenant_a.manager)
    response = client.post(_url("lot_waste", tenant_a, lot.pk), {"reason": "broken", "quantity": "8",
                                                                  "unit": "doses", "idempotency_key": "w2"})
    assert response.status_code == 400
    assert response.context["form"].errors["quantity"] == [
        "Lot FK5618 has 7 doses available (5 more are reserved for transfers); 8 cannot be taken."]
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 12


def test_waste_with_reason_other_needs_a_note(client, tenant_a):
    lot = _lot(tenant_a)
    client.force_login(tenant_a.manager)
    response = client.post(_url("lot_waste", tenant_a, lot.pk), {"reason": "other", "quantity": "1", "unit": "doses",
                                                                  "idempotency_key": "w3"})
    assert response.context["form"].errors["note"] == ["Say what happened when the reason is Other."]


def test_waste_form_without_a_reason_names_the_reason(client, tenant_a):
    lot = _lot(tenant_a)
    client.force_login(tenant_a.manager)
    response = client.post(_url("lot_waste", tenant_a, lot.pk), {"quantity": "1", "unit": "doses",
                                                                  "idempotency_key": "w4"})
    assert response.status_code == 400 and "reason" in response.context["form"].errors


def test_returning_expired_doses_to_the_distributor(client, tenant_a):
    lot = _lot(tenant_a)
    client.force_login(tenant_a.manager)
    client.post(_url("lot_return", tenant_a, lot.pk), {"reason": "return_expired", "quantity": "12", "unit": "doses",
                                                        "idempotency_key": "r1"})
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 0
    assert lot.ledger.get(kind="return").reason == "return_expired"


def test_only_location_managers_see_and_may_adjust_the_total_dose_quantity(client, tenant_a):
    lot = _lot(tenant_a, doses=12)
    client.force_login(tenant_a.coordinator)
    assert "/adjust/" not in client.get(_url("lot", tenant_a, lot.pk)).content.decode()
    assert client.post(_url("lot_adjust", tenant_a, lot.pk), {"doses": "2", "note": "x",
                                                               "idempotency_key": "a0"}).status_code == 403
    client.force_login(tenant_a.manager)
    assert "/adjust/" in client.get(_url("lot", tenant_a, lot.pk)).content.decode()
    response = client.post(_url("lot_adjust", tenant_a, lot.pk), {"doses": "2", "note": "Extra dose in each of 2 vials",
                                                                   "idempotency_key": "a1"})
    assert response.status_code == 302 and InventoryLot.objects.get(pk=lot.pk).on_hand == 14


def test_an_adjustment_needs_a_reason(client, tenant_a):
    lot = _lot(tenant_a)
    client.force_login(tenant_a.manager)
    response = client.post(_url("lot_adjust", tenant_a, lot.pk), {"doses": "2", "note": "", "idempotency_key": "a2"})
    assert response.status_code == 400 and "note" in response.context["form"].errors


def test_an_adjustment_below_zero_is_refused_beside_the_doses(client, tenant_a):
    lot = _lot(tenant_a, doses=12)
    client.force_login(tenant_a.manager)
    response = client.post(_url("lot_adjust", tenant_a, lot.pk), {"doses": "-13", "note": "count",
                                                                   "idempotency_key": "a3"})
    assert response.context["form"].errors["doses"] == ["Lot FK5618 does not have 13 doses on hand (it has 12)."]


def test_correcting_an_entry_reverses_it_and_links_both_ways(client, tenant_a):
    lot = _lot(tenant_a, doses=12)
    waste = lot_waste(lot=lot, quantity=3, reason="broken", actor=tenant_a.manager)
    client.force_login(tenant_a.coordinator)
    response = client.post(_url("entry_correct", tenant_a, lot.pk, waste.pk), {"note": "Typed 3, meant 0"})
    assert response.status_code == 302
    correction = lot.ledger.get(kind="correction")
    assert correction.quantity == 3 and correction.reverses == waste
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 12
    body = client.get(_url("lot", tenant_a, lot.pk)).content.decode()
    assert f'href="#entry-{waste.pk}">Reverses #{waste.pk}' in body
    assert f'href="#entry-{correction.pk}">Reversed by #{correction.pk}' in body


def test_an_entry_corrected_once_cannot_be_corrected_again(client, tenant_a):
    lot = _lot(tenant_a, doses=12)
    waste = lot_waste(lot=lot, quantity=3, reason="broken", actor=tenant_a.manager)
    client.force_login(tenant_a.manager)
    client.post(_url("entry_correct", tenant_a, lot.pk, waste.pk), {"note": "wrong"})
    response = client.post(_url("entry_correct", tenant_a, lot.pk, waste.pk), {"note": "again"})
    assert response.status_code == 400
    assert "already been corrected" in response.content.decode()
    assert lot.ledger.filter(kind="correction").count() == 1


def test_correcting_needs_a_reason(client, tenant_a):
    lot = _lot(tenant_a)
    client.force_login(tenant_a.manager)
    response = client.post(_url("entry_correct", tenant_a, lot.pk, lot.ledger.get().pk), {"note": ""})
    assert response.status_code == 400 and "note" in response.context["form"].errors


def test_state_staff_read_any_locations_inventory_lots_and_marketplace_without_forms(client, tenant_a,
                                                                                     state_reviewer):
    lot = _lot(tenant_a)
    client.force_login(state_reviewer)
    for name, args in (("inventory", ()), ("lot", (lot.pk,)), ("marketplace", ())):
        response = client.get(_url(name, tenant_a, *args))
        assert response.status_code == 200, name
        assert "<form" not in response.content.decode().split('id="main-content"')[-1] or name == "marketplace"
    assert client.get(_url("receive", tenant_a)).status_code in (403, 404)
    assert client.post(_url("lot_waste", tenant_a, lot.pk), {"quantity": 1, "unit": "doses",
                                                              "reason": "broken"}).status_code in (403, 404)
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 12
