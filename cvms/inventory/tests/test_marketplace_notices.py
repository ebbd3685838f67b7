"""The Vaccine Marketplace's emails, each to the people who must act or learn, in their language;
and two people deciding one request at the same moment."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, MarketplaceRequest, Transfer
from cvms.inventory.notices import marketplace_notice_send
from cvms.inventory.services.marketplace import offer_post, offer_request, request_accept, request_decline
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory

SOON = timezone.localdate() + datetime.timedelta(days=30)


def _offer(tenant):
    lot = lot_receive(location=tenant.location, product=VaccineProductFactory(), lot_number="FK5618",
                      expiration_date=SOON, doses=100, actor=tenant.manager)
    return offer_post(lot=lot, doses=60, pickup_notes="Loading dock", actor=tenant.manager)


@pytest.fixture
def made(tenant_a, tenant_b):
    return offer_request(offer=_offer(tenant_a), location=tenant_b.location, doses=20, note="For Saturday's clinic",
                         actor=tenant_b.coordinator)


def test_a_request_emails_the_offering_location_managers_and_coordinators_only(made, tenant_a, mailoutbox):
    assert marketplace_notice_send(request_id=made.pk, event="requested") == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([tenant_a.manager.email, tenant_a.coordinator.email])
    message = mailoutbox[0]
    assert "Clinic B1 requests 20 doses" in message.subject
    assert "For Saturday's clinic" in message.body and "lot FK5618" in message.body
    assert f"/provider/locations/{tenant_a.location.pk}/marketplace/offers/" in message.body


def test_each_addressee_gets_the_email_in_their_language(made, tenant_a, mailoutbox):
    type(tenant_a.coordinator).objects.filter(pk=tenant_a.coordinator.pk).update(preferred_language="es")
    marketplace_notice_send(request_id=made.pk, event="requested")
    spanish = {m.to[0]: "¿Tiene preguntas?" in m.body for m in mailoutbox}
    assert spanish == {tenant_a.coordinator.email: True, tenant_a.manager.email: False}


def test_an_acceptance_emails_the_person_who_asked_with_a_link_to_their_requests(made, tenant_a, tenant_b, mailoutbox):
    request_accept(request=made, actor=tenant_a.manager)
    assert marketplace_notice_send(request_id=made.pk, event="accepted") == 1
    (message,) = mailoutbox
    assert message.to == [tenant_b.coordinator.email]
    assert "accepted your request" in message.subject
    assert "awaiting the Immunization Branch's approval" in message.body
    assert f"/provider/locations/{tenant_b.location.pk}/marketplace/requests/" in message.body


def test_a_decline_emails_the_person_who_asked(made, tenant_a, tenant_b, mailoutbox):
    request_decline(request=made, actor=tenant_a.coordinator)
    marketplace_notice_send(request_id=made.pk, event="declined")
    assert [(m.to, "declined your request" in m.subject) for m in mailoutbox] == [([tenant_b.coordinator.email], True)]


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_of_one_request_at_once_make_one_transfer(tenant_a, tenant_b):
    made = offer_request(offer=_offer(tenant_a), location=tenant_b.location, doses=20, actor=tenant_b.manager)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(actor):
        try:
            barrier.wait()
            request_accept(request=MarketplaceRequest.objects.select_related("offer__location").get(pk=made.pk),
                           actor=actor)
            outcomes.append("accepted")
        except ServiceError as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(a,)) for a in (tenant_a.manager, tenant_a.coordinator)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["This request is already accepted.", "accepted"]
    assert Transfer.objects.count() == 1
    assert InventoryLot.objects.get(pk=made.offer.lot_id).reserved == 20
    assert MarketplaceRequest.objects.get(pk=made.pk).status == c.OfferRequestStatus.ACCEPTED


@pytest.mark.django_db(transaction=True)
def test_an_acceptance_and_a_decline_at_once_do_one_of_them(tenant_a, tenant_b):
    made = offer_request(offer=_offer(tenant_a), location=tenant_b.location, doses=20, actor=tenant_b.manager)
    barrier = threading.Barrier(2)

    def act(decide, actor):
        try:
            barrier.wait()
            decide(request=MarketplaceRequest.objects.select_related("offer__location").get(pk=made.pk), actor=actor)
        except ServiceError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(request_accept, tenant_a.manager)),
               threading.Thread(target=act, args=(request_decline, tenant_a.coordinator))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    status = MarketplaceRequest.objects.get(pk=made.pk).status
    reserved = InventoryLot.objects.get(pk=made.offer.lot_id).reserved
    assert (status, Transfer.objects.count(), reserved) in [(c.OfferRequestStatus.ACCEPTED, 1, 20),
                                                            (c.OfferRequestStatus.DECLINED, 0, 0)]
