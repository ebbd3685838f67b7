"""The Vaccine Marketplace's rules: offers, requests, the poster's decision and the transfer it makes."""

import datetime

import pytest
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, MarketplaceOffer, MarketplaceRequest, Transfer
from cvms.inventory.selectors import marketplace_open_offers, offer_remaining
from cvms.inventory.services.marketplace import (
    offer_post,
    offer_request,
    offer_withdraw,
    request_accept,
    request_decline,
    request_withdraw,
)
from cvms.inventory.services.stock import lot_receive, lot_waste
from cvms.inventory.services.transfers import transfer_request
from cvms.inventory.tests.factories import InventoryLotFactory, VaccineProductFactory

SOON = timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def lot(tenant_a):
    return lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                       expiration_date=SOON, doses=100, actor=tenant_a.manager)


@pytest.fixture
def offer(lot, tenant_a):
    return offer_post(lot=lot, doses=60, pickup_notes="Pick up weekdays 9-4 at the loading dock.",
                      actor=tenant_a.coordinator)


def ask(offer, tenant, doses=20, note=""):
    return offer_request(offer=offer, location=tenant.location, doses=doses, note=note, actor=tenant.manager)


def lot_of(offer) -> InventoryLot:
    return InventoryLot.objects.get(pk=offer.lot_id)


@pytest.fixture
def notices(queued_tasks, django_capture_on_commit_callbacks):
    """``with notices() as sent:`` runs the block's on-commit work; ``sent`` then lists the
    marketplace emails it queued, as ``(request id, event)``."""
    from contextlib import contextmanager

    @contextmanager
    def capture():
        sent = []
        with django_capture_on_commit_callbacks(execute=True):
            yield sent
        sent.extend(tuple(args) for name, args, _kwargs in queued_tasks
                    if name == "cvms.inventory.tasks.send_marketplace_notice")

    return capture


def refused(call, field=None, match=None):
    with pytest.raises(ServiceError, match=match) as exc:
        call()
    if field is not None:
        assert exc.value.field == field
    return exc.value


# Posting an offer

def test_a_coordinator_posts_an_offer_of_available_doses_audited(offer, tenant_a):
    assert (offer.status, offer.doses, offer.location) == (c.OfferStatus.OPEN, 60, tenant_a.location)
    assert AuditLog.objects.filter(action="inventory.offer.posted", object_id=str(offer.pk)).exists()


@pytest.mark.parametrize("who", ["vaccinator", "front_desk", "org_admin"])
def test_only_managers_and_coordinators_of_the_lot_location_post_offers(lot, tenant_a, who):
    refused(lambda: offer_post(lot=lot, doses=1, actor=getattr(tenant_a, who)), match="managers and vaccine")
    assert not MarketplaceOffer.objects.exists()


def test_a_manager_of_another_organization_cannot_offer_a_lot_that_is_not_theirs(lot, tenant_b):
    refused(lambda: offer_post(lot=lot, doses=1, actor=tenant_b.manager))


def test_an_offer_of_more_doses_than_the_lot_has_available_is_refused_naming_the_doses(lot, tenant_a, tenant_b):
    transfer_request(lot=lot, to_location=tenant_b.location, doses=30, reason="short", actor=tenant_a.manager)
    error = refused(lambda: offer_post(lot=lot, doses=71, actor=tenant_a.manager), field="doses")
    assert "70 doses available" in str(error)
    assert offer_post(lot=lot, doses=70, actor=tenant_a.manager).doses == 70


@pytest.mark.parametrize("doses", [0, -3, "5", 2.5, True])
def test_an_offer_needs_a_whole_number_of_doses(lot, tenant_a, doses):
    refused(lambda: offer_post(lot=lot, doses=doses, actor=tenant_a.manager), field="doses")


def test_an_expired_lot_cannot_be_offered(tenant_a):
    old = InventoryLotFactory(location=tenant_a.location, expiration_date=timezone.localdate() - datetime.timedelta(1))
    refused(lambda: offer_post(lot=old, doses=1, actor=tenant_a.manager), field="lot", match="expired")


def test_a_lot_has_one_open_offer_at_a_time(offer, lot, tenant_a):
    refused(lambda: offer_post(lot=lot, doses=5, actor=tenant_a.manager), field="lot", match="already has an open")
    offer_withdraw(offer=offer, actor=tenant_a.manager)
    assert offer_post(lot=lot, doses=5, actor=tenant_a.manager).status == c.OfferStatus.OPEN


def test_the_database_refuses_a_second_open_offer_of_one_lot(offer, lot, tenant_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="offer_one_open_per_lot"), transaction.atomic():
        MarketplaceOffer.objects.create(location=lot.location, lot=lot, doses=1, posted_by=tenant_a.manager)


def test_pickup_notes_longer_than_the_column_are_refused_naming_them(lot, tenant_a):
    refused(lambda: offer_post(lot=lot, doses=1, pickup_notes="x" * 1001, actor=tenant_a.manager),
            field="pickup_notes")


# Requesting doses

def test_a_location_of_another_organization_requests_doses_and_the_poster_is_emailed(offer, tenant_b, notices):
    with notices() as sent:
        made = ask(offer, tenant_b, doses=20, note="For Saturday's clinic")
    assert (made.status, made.doses, made.location) == (c.OfferRequestStatus.PENDING, 20, tenant_b.location)
    assert AuditLog.objects.filter(action="inventory.offer_request.made", object_id=str(made.pk)).exists()
    assert sent == [(made.pk, "requested")]


def test_a_location_cannot_request_its_own_offer(offer, tenant_a):
    refused(lambda: ask(offer, tenant_a), field="location", match="own offer")


def test_another_location_of_the_same_organization_may_request(offer, tenant_a):
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant

    membership_grant(user=tenant_a.manager, role=Role.LOCATION_MANAGER, location=tenant_a.other_location)
    made = offer_request(offer=offer, location=tenant_a.other_location, doses=5, actor=tenant_a.manager)
    assert made.location == tenant_a.other_location


@pytest.mark.parametrize("who", ["vaccinator", "front_desk"])
def test_only_managers_and_coordinators_request_doses_for_their_location(offer, tenant_b, who):
    refused(lambda: offer_request(offer=offer, location=tenant_b.location, doses=5, actor=getattr(tenant_b, who)))


def test_nobody_requests_doses_for_a_location_where_they_hold_no_stock_role(offer, tenant_a, tenant_b):
    refused(lambda: offer_request(offer=offer, location=tenant_b.location, doses=5, actor=tenant_a.manager))


def test_a_location_not_enrolled_cannot_request(offer, tenant_b):
    tenant_b.location.is_active = False
    tenant_b.location.save(update_fields=["is_active"])
    refused(lambda: ask(offer, tenant_b), field="location", match="not an enrolled location")


def test_a_request_for_more_than_the_offer_still_has_is_refused_naming_the_doses(offer, tenant_b):
    error = refused(lambda: ask(offer, tenant_b, doses=61), field="doses")
    assert "60 doses left" in str(error)


def test_one_pending_request_per_location_and_offer(offer, tenant_b):
    first = ask(offer, tenant_b, doses=5)
    refused(lambda: ask(offer, tenant_b, doses=6), field="doses", match="already has a request waiting")
    request_withdraw(request=first, actor=tenant_b.coordinator)
    assert ask(offer, tenant_b, doses=6).status == c.OfferRequestStatus.PENDING


def test_a_withdrawn_offer_takes_no_request(offer, tenant_a, tenant_b):
    offer_withdraw(offer=offer, actor=tenant_a.manager)
    refused(lambda: ask(offer, tenant_b), match="no longer open")


def test_an_offer_whose_lot_expired_takes_no_request(offer, tenant_b):
    InventoryLot.objects.filter(pk=offer.lot_id).update(expiration_date=timezone.localdate() - datetime.timedelta(1))
    offer.refresh_from_db()
    offer.lot.refresh_from_db()
    refused(lambda: ask(offer, tenant_b), match="no longer open")


# What an offer still has

def test_an_offer_has_its_doses_less_those_accepted(offer, tenant_a, tenant_b):
    request_accept(request=ask(offer, tenant_b, doses=20), actor=tenant_a.manager)
    assert offer_remaining(offer) == 40


def test_an_offer_never_has_more_than_the_lot_has_available(offer, lot, tenant_a):
    lot_waste(lot=lot, quantity=75, reason="broken", actor=tenant_a.manager)
    assert offer_remaining(offer) == 25


def test_doses_of_a_rejected_transfer_return_to_the_offer(offer, tenant_a, tenant_b):
    made = request_accept(request=ask(offer, tenant_b, doses=20), actor=tenant_a.manager)
    Transfer.objects.filter(pk=made.transfer_id).update(status=c.TransferStatus.REJECTED)
    InventoryLot.objects.filter(pk=offer.lot_id).update(reserved=0)
    assert offer_remaining(offer) == 60


# The poster's decision

def test_accepting_makes_a_transfer_awaiting_state_approval_with_the_doses_reserved(offer, tenant_a, tenant_b,
                                                                                     notices):
    made = ask(offer, tenant_b, doses=20)
    with notices() as sent:
        request_accept(request=made, actor=tenant_a.coordinator)
    transfer = made.transfer
    assert made.status == c.OfferRequestStatus.ACCEPTED and made.decided_by == tenant_a.coordinator
    assert (transfer.kind, transfer.status) == (c.TransferKind.TRANSFER, c.TransferStatus.REQUESTED)
    assert (transfer.lot_id, transfer.from_location, transfer.to_location, transfer.doses) == (
        offer.lot_id, tenant_a.location, tenant_b.location, 20)
    lot = lot_of(offer)
    assert (lot.on_hand, lot.reserved, lot.available) == (100, 20, 80)
    assert AuditLog.objects.filter(action="inventory.offer_request.accepted", object_id=str(made.pk)).exists()
    assert AuditLog.objects.filter(action="inventory.transfer.requested", object_id=str(transfer.pk)).exists()
    assert sent == [(made.pk, "accepted")]
    assert MarketplaceOffer.objects.get(pk=offer.pk).status == c.OfferStatus.OPEN


def test_the_offer_closes_when_nothing_remains_and_its_other_requests_are_declined(offer, tenant_a, tenant_b,
                                                                                    notices):
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant

    membership_grant(user=tenant_b.manager, role=Role.LOCATION_MANAGER, location=tenant_b.other_location)
    other = offer_request(offer=offer, location=tenant_b.other_location, doses=10, actor=tenant_b.manager)
    made = ask(offer, tenant_b, doses=60)
    with notices() as sent:
        request_accept(request=made, actor=tenant_a.manager)
    offer.refresh_from_db()
    other.refresh_from_db()
    assert offer.status == c.OfferStatus.CLOSED and offer.closed_at is not None
    assert other.status == c.OfferRequestStatus.DECLINED
    assert sorted(sent) == sorted([(made.pk, "accepted"), (other.pk, "declined")])
    assert not marketplace_open_offers(for_location=tenant_b.location).exists()


def test_only_the_poster_location_accepts_or_declines(offer, tenant_a, tenant_b):
    made = ask(offer, tenant_b)
    for actor in (tenant_b.manager, tenant_a.vaccinator, tenant_a.front_desk):
        refused(lambda actor=actor: request_accept(request=made, actor=actor))
        refused(lambda actor=actor: request_decline(request=made, actor=actor))
    assert not Transfer.objects.exists()
    assert MarketplaceRequest.objects.get(pk=made.pk).status == c.OfferRequestStatus.PENDING


def test_a_request_is_accepted_once(offer, tenant_a, tenant_b):
    made = ask(offer, tenant_b)
    request_accept(request=made, actor=tenant_a.manager)
    again = MarketplaceRequest.objects.get(pk=made.pk)
    refused(lambda: request_accept(request=again, actor=tenant_a.coordinator), match="already accepted")
    assert Transfer.objects.count() == 1 and lot_of(offer).reserved == 20


def test_a_request_larger_than_what_remains_is_not_accepted_and_nothing_changes(offer, lot, tenant_a, tenant_b):
    made = ask(offer, tenant_b, doses=50)
    lot_waste(lot=lot, quantity=60, reason="temperature_excursion", actor=tenant_a.manager)
    error = refused(lambda: request_accept(request=made, actor=tenant_a.manager), field="doses")
    assert "40 doses left" in str(error)
    assert not Transfer.objects.exists() and lot_of(offer).reserved == 0
    assert MarketplaceRequest.objects.get(pk=made.pk).status == c.OfferRequestStatus.PENDING


def test_a_refused_transfer_leaves_the_request_pending(offer, tenant_a, tenant_b):
    made = ask(offer, tenant_b)
    InventoryLot.objects.filter(pk=offer.lot_id).update(expiration_date=timezone.localdate() - datetime.timedelta(1))
    refused(lambda: request_accept(request=made, actor=tenant_a.manager), match="expired")
    assert MarketplaceRequest.objects.get(pk=made.pk).status == c.OfferRequestStatus.PENDING
    assert not Transfer.objects.exists()


def test_declining_tells_the_requester_and_a_declined_request_cannot_be_accepted(offer, tenant_a, tenant_b,
                                                                                 notices):
    made = ask(offer, tenant_b)
    with notices() as sent:
        request_decline(request=made, actor=tenant_a.manager)
    assert made.status == c.OfferRequestStatus.DECLINED and made.decided_by == tenant_a.manager
    assert sent == [(made.pk, "declined")]
    assert AuditLog.objects.filter(action="inventory.offer_request.declined", object_id=str(made.pk)).exists()
    refused(lambda: request_accept(request=made, actor=tenant_a.manager), match="already declined")
    assert not Transfer.objects.exists()


def test_only_the_requesting_location_withdraws_its_request(offer, tenant_a, tenant_b):
    made = ask(offer, tenant_b)
    refused(lambda: request_withdraw(request=made, actor=tenant_a.manager))
    request_withdraw(request=made, actor=tenant_b.coordinator)
    assert MarketplaceRequest.objects.get(pk=made.pk).status == c.OfferRequestStatus.WITHDRAWN
    refused(lambda: request_withdraw(request=made, actor=tenant_b.manager), match="already withdrawn")


def test_withdrawing_an_offer_declines_its_pending_requests_and_tells_the_requester(offer, tenant_a, tenant_b,
                                                                                    notices):
    made = ask(offer, tenant_b)
    with notices() as sent:
        offer_withdraw(offer=offer, actor=tenant_a.coordinator)
    assert sent == [(made.pk, "declined")]
    assert MarketplaceOffer.objects.get(pk=offer.pk).status == c.OfferStatus.WITHDRAWN
    assert MarketplaceRequest.objects.get(pk=made.pk).status == c.OfferRequestStatus.DECLINED
    assert AuditLog.objects.filter(action="inventory.offer.withdrawn", object_id=str(offer.pk)).exists()
    refused(lambda: offer_withdraw(offer=offer, actor=tenant_a.coordinator), match="already withdrawn")


def test_only_the_poster_location_withdraws_its_offer(offer, tenant_b):
    refused(lambda: offer_withdraw(offer=offer, actor=tenant_b.manager))


# Browsing

def test_open_offers_are_those_of_other_locations_with_doses_left(offer, lot, tenant_a, tenant_b):
    assert list(marketplace_open_offers(for_location=tenant_b.location)) == [offer]
    assert not marketplace_open_offers(for_location=tenant_a.location).exists()
    lot_waste(lot=lot, quantity=100, reason="recall", actor=tenant_a.manager)
    assert not marketplace_open_offers(for_location=tenant_b.location).exists()


def test_open_offers_filter_by_product_county_and_expiration_window(offer, tenant_a, tenant_b):
    from cvms.inventory.models import VaccineProduct

    other = VaccineProduct.objects.create(key="moderna-12-red", display_name="Moderna (Red Cap)", cvx="207")
    tenant_a.location.county = "Durham"
    tenant_a.location.save(update_fields=["county"])
    find = marketplace_open_offers
    here = tenant_b.location
    assert list(find(for_location=here, product=offer.lot.product)) == [offer]
    assert not find(for_location=here, product=other).exists()
    assert list(find(for_location=here, county="Durham")) == [offer]
    assert not find(for_location=here, county="Wake").exists()
    assert list(find(for_location=here, expires_within_days=30)) == [offer]
    assert not find(for_location=here, expires_within_days=29).exists()
