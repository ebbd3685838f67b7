"""Lots and the ledger in admin: shown with reservations and reasons, never edited there."""

import datetime

from django.urls import reverse
from django.utils import timezone

from cvms.inventory.services.stock import lot_receive, lot_reserve, lot_waste
from cvms.inventory.tests.factories import VaccineProductFactory


def _lot(tenant):
    lot = lot_receive(location=tenant.location, product=VaccineProductFactory(), lot_number="ADM1",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=60), doses=12)
    lot_reserve(lot=lot, doses=4)
    lot_waste(lot=lot, quantity=1, reason="drawn_not_given")
    return lot


def test_admin_lists_show_reserved_doses_and_waste_reasons(admin_client, tenant_a):
    _lot(tenant_a)
    lots = admin_client.get(reverse("admin:inventory_inventorylot_changelist")).context["cl"]
    assert "reserved" in lots.list_display
    ledger = admin_client.get(reverse("admin:inventory_stockledgerentry_changelist"))
    assert "reason" in ledger.context["cl"].list_display and "Drawn but not given" in ledger.content.decode()


def test_the_ledger_cannot_be_edited_or_deleted_in_admin(admin_client, tenant_a):
    entry = _lot(tenant_a).ledger.first()
    change = reverse("admin:inventory_stockledgerentry_change", args=[entry.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    admin_client.post(change, {"quantity": 999, "kind": "receive"})
    entry.refresh_from_db()
    assert entry.quantity == 12
    assert admin_client.get(reverse("admin:inventory_stockledgerentry_delete", args=[entry.pk])).status_code == 403
