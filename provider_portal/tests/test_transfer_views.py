"""The Transfers tab, the request form, a transfer's page and its steps, the state's approval queue,
and state staff seeing every location."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.inventory.choices import TransferStatus
from cvms.inventory.models import InventoryLot, Transfer
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.services.transfers import transfer_approve, transfer_request, transfer_ship
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.models import RedistributionAgreement

SOON = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture
def lot(tenant_a, tenant_b):
    for location in (tenant_a.location, tenant_a.other_location, tenant_b.location):
        location.is_active = True
        location.save(update_fields=["is_active"])
    return lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                       expiration_date=SOON, doses=30, actor=tenant_a.manager)


@pytest.fixture
def transfer(lot, tenant_a, tenant_b):
    return transfer_request(lot=lot, to_location=tenant_b.location, doses=12, reason="clinic has none",
                            actor=tenant_a.coordinator)


def url(name, *args):
    return reverse(f"provider_portal:{name}", args=args)


def test_the_transfers_tab_lists_outgoing_and_incoming_with_status(client, transfer, tenant_a, tenant_b):
    client.force_login(tenant_a.vaccinator)
    body = client.get(url("transfers", tenant_a.location.pk)).content.decode()
    assert "Awaiting state approval" in body and f"#{transfer.pk}" in body
    assert 'data-testid="request-transfer"' not in body  # a vaccinator sees, but does not request
    client.force_login(tenant_b.front_desk)
    response = client.get(url("transfers", tenant_b.location.pk))
    assert list(response.context["incoming"]) == [transfer] and list(response.context["outgoing"]) == []


def test_a_coordinator_requests_a_transfer_and_the_doses_are_reserved(client, lot, tenant_a, tenant_b):
    client.force_login(tenant_a.coordinator)
    response = client.post(url("transfer_new", tenant_a.location.pk), {
        "lot": lot.pk, "to_location": tenant_b.location.pk, "kind": "transfer", "doses": 6, "reason": "out of stock"})
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response.url == url("transfer", tenant_a.location.pk, transfer.pk)
    assert InventoryLot.objects.get(pk=lot.pk).reserved == 6


def test_more_doses_than_available_are_refused_beside_the_doses_field(client, lot, tenant_a, tenant_b):
    client.force_login(tenant_a.manager)
    response = client.post(url("transfer_new", tenant_a.location.pk), {
        "lot": lot.pk, "to_location": tenant_b.location.pk, "kind": "transfer", "doses": 31, "reason": "x"})
    assert response.status_code == 400 and "it has 30" in response.context["form"].errors["doses"][0]
    assert not Transfer.objects.exists()


def test_redistribution_is_offered_only_where_an_agreement_covers_the_location(client, lot, tenant_a):
    client.force_login(tenant_a.manager)
    form = client.get(url("transfer_new", tenant_a.location.pk)).context["form"]
    assert [k for k, _label in form.fields["kind"].choices if k] == ["transfer"]
    agreement = RedistributionAgreement.objects.create(organization=tenant_a.organization, signed_name="Ann Lee",
                                                       signed_title="CEO", signed_on=timezone.localdate())
    agreement.locations.set([tenant_a.location, tenant_a.other_location])
    response = client.get(url("transfer_new", tenant_a.location.pk))
    assert "redistribution" in [k for k, _label in response.context["form"].fields["kind"].choices]
    assert response.context["form"].partners == [tenant_a.other_location]
    assert "unplanned" in response.content.decode() and "planned, scheduled" in response.content.decode()


def test_the_destination_list_names_each_location_by_name_pin_and_county(client, lot, tenant_a, tenant_b):
    client.force_login(tenant_a.manager)
    form = client.get(url("transfer_new", tenant_a.location.pk)).context["form"]
    labels = [label for value, label in form.fields["to_location"].choices if value]
    assert any(tenant_b.location.name in str(label) and tenant_b.location.provider_pin in str(label)
               for label in labels)
    assert not any(tenant_a.location.name + " " in str(label) for label in labels)


def test_a_vaccinator_cannot_open_the_request_form(client, lot, tenant_a):
    client.force_login(tenant_a.vaccinator)
    assert client.get(url("transfer_new", tenant_a.location.pk)).status_code == 403


def test_the_transfer_page_shows_its_timeline_and_the_senders_ship_step(client, transfer, tenant_a, state_reviewer):
    transfer_approve(transfer=transfer, actor=state_reviewer, comment="go ahead")
    client.force_login(tenant_a.manager)
    response = client.get(url("transfer", tenant_a.location.pk, transfer.pk))
    assert [s["what"] for s in response.context["timeline"]] == ["Requested", "Approved"]
    assert response.context["steps"] == {"ship", "cancel"} and "go ahead" in response.content.decode()
    response = client.post(url("transfer_ship", tenant_a.location.pk, transfer.pk))
    assert response.status_code == 302 and Transfer.objects.get().status == TransferStatus.SHIPPED


def test_shipping_twice_says_who_shipped_it(client, transfer, tenant_a, state_reviewer):
    transfer_approve(transfer=transfer, actor=state_reviewer, comment="")
    client.force_login(tenant_a.manager)
    client.post(url("transfer_ship", tenant_a.location.pk, transfer.pk))
    response = client.post(url("transfer_ship", tenant_a.location.pk, transfer.pk), follow=True)
    assert "already shipped by Manager A" in response.content.decode()
    assert InventoryLot.objects.get(pk=transfer.lot_id).on_hand == 18


def test_the_receiver_reports_a_discrepancy_and_a_missing_note_is_named(client, transfer, tenant_a, tenant_b,
                                                                        state_reviewer):
    transfer_approve(transfer=transfer, actor=state_reviewer, comment="")
    transfer_ship(transfer=transfer, actor=tenant_a.manager)
    client.force_login(tenant_b.manager)
    receive = url("transfer_receive", tenant_b.location.pk, transfer.pk)
    response = client.post(receive, {"received_doses": 10})
    assert response.status_code == 400 and "discrepancy_note" in response.context["receive_form"].errors
    response = client.post(receive, {"received_doses": 13})
    assert response.status_code == 400 and "received_doses" in response.context["receive_form"].errors
    assert client.post(receive, {"received_doses": 10, "discrepancy_note": "vial broke"}).status_code == 302
    assert InventoryLot.objects.get(location=tenant_b.location).on_hand == 10


def test_the_requester_cancels_with_a_reason(client, transfer, tenant_a):
    client.force_login(tenant_a.coordinator)
    cancel = url("transfer_cancel", tenant_a.location.pk, transfer.pk)
    assert client.post(cancel, {"reason": ""}).status_code == 400
    assert client.post(cancel, {"reason": "found doses"}).status_code == 302
    assert InventoryLot.objects.get(pk=transfer.lot_id).reserved == 0


def test_the_receiver_cannot_cancel_the_senders_request(client, transfer, tenant_b):
    client.force_login(tenant_b.manager)
    response = client.post(url("transfer_cancel", tenant_b.location.pk, transfer.pk), {"reason": "no"})
    assert response.status_code == 400 and Transfer.objects.get().status == TransferStatus.REQUESTED


def test_the_queue_lists_waiting_requests_oldest_first_with_the_senders_stock(client, lot, tenant_a, tenant_b,
                                                                              state_reviewer):
    first = transfer_request(lot=lot, to_location=tenant_b.location, doses=5, reason="a", actor=tenant_a.manager)
    second = transfer_request(lot=lot, to_location=tenant_b.location, doses=5, reason="b", actor=tenant_a.manager)
    client.force_login(state_reviewer)
    response = client.get(url("state_transfers"))
    assert [t.pk for t in response.context["rows"]] == [first.pk, second.pk]
    assert response.context["rows"][0].lot.available == 20


def test_state_staff_approve_and_reject_in_the_queue(client, lot, tenant_a, tenant_b, state_reviewer):
    one = transfer_request(lot=lot, to_location=tenant_b.location, doses=5, reason="a", actor=tenant_a.manager)
    two = transfer_request(lot=lot, to_location=tenant_b.location, doses=5, reason="b", actor=tenant_a.manager)
    client.force_login(state_reviewer)
    decide = url("state_transfer_decide", two.pk)
    response = client.post(decide, {f"t{two.pk}-decision": "reject", f"t{two.pk}-comment": ""})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert client.post(decide, {f"t{two.pk}-decision": "reject", f"t{two.pk}-comment": "no"}).status_code == 302
    assert client.post(url("state_transfer_decide", one.pk), {f"t{one.pk}-decision": "approve"}).status_code == 302
    assert dict(Transfer.objects.values_list("pk", "status")) == {one.pk: "approved", two.pk: "rejected"}
    response = client.post(url("state_transfer_decide", one.pk), {f"t{one.pk}-decision": "approve"}, follow=True)
    assert "already approved by" in response.content.decode()
    decided = client.get(url("state_transfers"), {"status": "decided"}).context["rows"]
    assert {t.pk for t in decided} == {one.pk, two.pk}


def test_the_queue_shows_whether_a_redistributions_agreement_is_in_force(client, lot, tenant_a, state_reviewer):
    agreement = RedistributionAgreement.objects.create(organization=tenant_a.organization, signed_name="Ann Lee",
                                                       signed_title="CEO", signed_on=timezone.localdate())
    agreement.locations.set([tenant_a.location, tenant_a.other_location])
    transfer_request(lot=lot, to_location=tenant_a.other_location, doses=5, reason="plan", actor=tenant_a.manager,
                     kind="redistribution")
    client.force_login(state_reviewer)
    assert client.get(url("state_transfers")).context["rows"][0].agreement_in_force is True
    RedistributionAgreement.objects.update(withdrawn_at=timezone.now())
    assert client.get(url("state_transfers")).context["rows"][0].agreement_in_force is False


@pytest.mark.parametrize("who", ["manager", "vaccinator"])
def test_providers_cannot_open_the_queue(client, tenant_a, who):
    client.force_login(getattr(tenant_a, who))
    assert client.get(url("state_transfers")).status_code == 403


def test_the_queue_refuses_get_on_a_decision(client, transfer, state_reviewer):
    client.force_login(state_reviewer)
    assert client.get(url("state_transfer_decide", transfer.pk)).status_code == 405


def test_state_staff_see_every_locations_stock_but_cannot_write(client, lot, tenant_a, state_reviewer):
    client.force_login(state_reviewer)
    assert client.get(url("location", tenant_a.location.pk)).status_code == 200
    assert client.get(url("transfers", tenant_a.location.pk)).status_code == 200
    assert client.get(url("transfer_new", tenant_a.location.pk)).status_code == 403
    assert client.get(url("bulk", tenant_a.location.pk)).status_code == 403


def test_state_staff_home_shows_the_queue_count_and_finds_locations(client, transfer, tenant_a, state_reviewer):
    client.force_login(state_reviewer)
    response = client.get(url("home"))
    assert response.context["queue_count"] == 1 and list(response.context["locations"]) == []
    for text in (tenant_a.location.name, tenant_a.location.provider_pin, tenant_a.location.county):
        found = client.get(url("home"), {"q": text}).context["locations"]
        assert tenant_a.location in list(found), text


def test_anonymous_is_sent_to_sign_in(client, transfer, tenant_a):
    response = client.get(url("transfer", tenant_a.location.pk, transfer.pk))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_transfer_is_not_found_through_a_location_it_does_not_involve(client, transfer, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(url("transfer", tenant_a.other_location.pk, transfer.pk)).status_code == 404
