"""The Vaccine Marketplace tab: open offers, posting, requesting, the poster's decision, my requests."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, MarketplaceOffer, MarketplaceRequest, Transfer, VaccineProduct
from cvms.inventory.services.marketplace import offer_post, offer_request, request_accept
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory

SOON = timezone.localdate() + datetime.timedelta(days=30)


def url(name, *args):
    return reverse(f"provider_portal:{name}", args=args)


def _lot(tenant, lot_number="FK5618", doses=100, product=None, expires=SOON):
    return lot_receive(location=tenant.location, product=product or VaccineProductFactory(), lot_number=lot_number,
                       expiration_date=expires, doses=doses, actor=tenant.manager)


@pytest.fixture
def offer(tenant_a):
    return offer_post(lot=_lot(tenant_a), doses=60, pickup_notes="Loading dock, weekdays 9-4", actor=tenant_a.manager)


@pytest.fixture
def made(offer, tenant_b):
    return offer_request(offer=offer, location=tenant_b.location, doses=20, note="Saturday clinic",
                         actor=tenant_b.manager)


def body(response) -> str:
    return response.content.decode()


# Open offers

def test_another_organization_sees_the_offer_with_its_facts_and_a_request_form(client, offer, tenant_b):
    client.force_login(tenant_b.coordinator)
    response = client.get(url("marketplace", tenant_b.location.pk))
    assert response.status_code == 200
    page = body(response)
    for fact in ("Pfizer-BioNTech COVID-19 Vaccine 12+ (Gray Cap)", "Cap: gray", "FK5618", "60",
                 SOON.strftime("%m/%d/%Y"), "Clinic A1", "Wake", "Loading dock, weekdays 9-4"):
        assert fact in page, fact
    assert f'data-testid="request-form-{offer.pk}"' in page


@pytest.mark.parametrize("who", ["vaccinator", "front_desk"])
def test_healthcare_providers_and_front_desk_see_offers_but_get_no_forms(client, offer, tenant_b, who):
    client.force_login(getattr(tenant_b, who))
    page = body(client.get(url("marketplace", tenant_b.location.pk)))
    assert "FK5618" in page
    assert "request-form-" not in page and "post-offer-link" not in page
    assert client.get(url("marketplace_offer_new", tenant_b.location.pk)).status_code == 403
    assert client.post(url("marketplace_request_new", tenant_b.location.pk, offer.pk),
                       {f"offer-{offer.pk}-doses": 5}).status_code == 403


def test_a_location_does_not_see_its_own_offer_among_open_offers(client, offer, tenant_a):
    client.force_login(tenant_a.manager)
    assert "FK5618" not in body(client.get(url("marketplace", tenant_a.location.pk)))


def test_offers_filter_by_product_county_and_expiration_window(client, tenant_a, tenant_b):
    moderna = VaccineProduct.objects.create(key="moderna-12-red", display_name="Moderna 12+ (Red Cap)", cvx="207",
                                            cap_color="red")
    offer_post(lot=_lot(tenant_a, "GRAY1"), doses=5, actor=tenant_a.manager)
    offer_post(lot=_lot(tenant_a, "RED1", product=moderna, expires=SOON + datetime.timedelta(days=60)), doses=5,
               actor=tenant_a.manager)
    client.force_login(tenant_b.manager)
    here = url("marketplace", tenant_b.location.pk)
    by_product = body(client.get(here, {"product": moderna.pk}))
    assert "RED1" in by_product and "GRAY1" not in by_product
    soon = body(client.get(here, {"expires_within": 45}))
    assert "GRAY1" in soon and "RED1" not in soon
    assert "GRAY1" in body(client.get(here, {"county": "Wake"}))


def test_a_filter_that_is_not_a_number_of_days_is_named_not_a_500(client, offer, tenant_b):
    client.force_login(tenant_b.manager)
    response = client.get(url("marketplace", tenant_b.location.pk), {"expires_within": "soon"})
    assert response.status_code == 400
    assert "Expiring within (days): Enter a whole number." in body(response)


def test_open_offers_are_paged_in_a_fixed_number_of_queries(client, tenant_a, tenant_b, django_assert_max_num_queries):
    for n in range(30):
        offer_post(lot=_lot(tenant_a, f"LOT{n}", doses=10), doses=10, actor=tenant_a.manager)
    client.force_login(tenant_b.manager)
    with django_assert_max_num_queries(16):
        first = client.get(url("marketplace", tenant_b.location.pk))
    assert len(first.context["page"].object_list) == 25 and "30 open offers" in body(first)
    second = client.get(url("marketplace", tenant_b.location.pk), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_anonymous_is_sent_to_sign_in(client, tenant_a):
    response = client.get(url("marketplace", tenant_a.location.pk))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_marketplace_pages_take_no_post(client, tenant_a):
    client.force_login(tenant_a.manager)
    for name in ("marketplace", "marketplace_offers", "marketplace_requests"):
        assert client.post(url(name, tenant_a.location.pk)).status_code == 405


def test_every_provider_role_finds_the_marketplace_tab(client, tenant_a):
    for who in ("manager", "coordinator", "vaccinator", "front_desk"):
        client.force_login(getattr(tenant_a, who))
        assert 'data-testid="marketplace-link"' in body(client.get(url("location", tenant_a.location.pk)))


# Posting an offer

def test_the_offer_form_is_prefilled_from_the_lot_link(client, tenant_a):
    lot = _lot(tenant_a)
    client.force_login(tenant_a.coordinator)
    response = client.get(url("marketplace_offer_new", tenant_a.location.pk), {"lot": lot.pk})
    assert response.status_code == 200
    assert f'<option value="{lot.pk}" selected>' in body(response)


def test_a_lot_link_that_is_no_number_only_leaves_the_lot_unchosen(client, tenant_a):
    _lot(tenant_a)
    client.force_login(tenant_a.coordinator)
    response = client.get(url("marketplace_offer_new", tenant_a.location.pk), {"lot": "９９"})
    lots = body(response).split('name="lot"')[1].split("</select>")[0]
    assert response.status_code == 200 and " selected>" not in lots


def test_a_lot_suggested_on_the_inventory_page_links_to_the_prefilled_offer_form(client, tenant_a, settings):
    settings.CVMS_MARKETPLACE_SUGGEST_DAYS = 3650
    lot = _lot(tenant_a)
    client.force_login(tenant_a.coordinator)
    page = body(client.get(url("inventory", tenant_a.location.pk)))
    assert f'href="{url("marketplace_offer_new", tenant_a.location.pk)}?lot={lot.pk}"' in page
    client.force_login(tenant_a.vaccinator)
    assert "marketplace/offers/new" not in body(client.get(url("inventory", tenant_a.location.pk)))
    response = client.get(url("marketplace_offer_new", tenant_a.location.pk), {"lot": lot.pk})
    assert response.status_code in (403, 404)


def test_posting_an_offer_lists_it_under_my_offers(client, tenant_a):
    lot = _lot(tenant_a)
    client.force_login(tenant_a.coordinator)
    response = client.post(url("marketplace_offer_new", tenant_a.location.pk),
                           {"lot": lot.pk, "doses": 40, "pickup_notes": "Ask for Pat"})
    assert response.status_code == 302 and response.url == url("marketplace_offers", tenant_a.location.pk)
    offer = MarketplaceOffer.objects.get()
    assert (offer.lot, offer.doses, offer.pickup_notes) == (lot, 40, "Ask for Pat")
    page = body(client.get(response.url))
    assert "Your offer is on the Vaccine Marketplace." in page and "Ask for Pat" in page


def test_an_offer_of_more_than_available_shows_the_refusal_beside_the_doses(client, tenant_a):
    lot = _lot(tenant_a)
    client.force_login(tenant_a.manager)
    response = client.post(url("marketplace_offer_new", tenant_a.location.pk), {"lot": lot.pk, "doses": 101})
    assert response.status_code == 400
    assert "Doses offered: Lot FK5618 has 100 doses available; 101 cannot be offered." in body(response)
    assert not MarketplaceOffer.objects.exists()


def test_only_this_location_unexpired_lots_with_doses_available_can_be_offered(client, tenant_a, tenant_b):
    mine = _lot(tenant_a, "MINE1")
    theirs = _lot(tenant_b, "THEIRS1")
    client.force_login(tenant_a.manager)
    response = client.post(url("marketplace_offer_new", tenant_a.location.pk), {"lot": theirs.pk, "doses": 1})
    assert response.status_code == 400 and "Select a valid choice" in body(response)
    assert str(mine.pk) in body(response)


# Requesting doses

def test_requesting_doses_from_the_offer_card_lists_it_under_my_requests(client, offer, tenant_b):
    client.force_login(tenant_b.coordinator)
    response = client.post(url("marketplace_request_new", tenant_b.location.pk, offer.pk),
                           {f"offer-{offer.pk}-doses": 25, f"offer-{offer.pk}-note": "For a school clinic"})
    assert response.status_code == 302 and response.url == url("marketplace_requests", tenant_b.location.pk)
    made = MarketplaceRequest.objects.get()
    assert (made.offer, made.location, made.doses, made.note) == (offer, tenant_b.location, 25, "For a school clinic")
    page = body(client.get(response.url))
    assert "Your request was sent to Clinic A1." in page and "Awaiting the poster" in page


def test_a_request_for_more_than_remains_shows_the_refusal_beside_the_doses(client, offer, tenant_b):
    client.force_login(tenant_b.manager)
    response = client.post(url("marketplace_request_new", tenant_b.location.pk, offer.pk),
                           {f"offer-{offer.pk}-doses": 61})
    assert response.status_code == 400
    assert "Doses requested: This offer has 60 doses left; 61 cannot be requested." in body(response)
    assert not MarketplaceRequest.objects.exists()


def test_a_location_cannot_open_the_request_form_for_its_own_offer(client, offer, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(url("marketplace_request_new", tenant_a.location.pk, offer.pk)).status_code == 404


def test_nobody_requests_for_a_location_of_another_organization(client, offer, tenant_a, tenant_b):
    client.force_login(tenant_a.manager)
    response = client.post(url("marketplace_request_new", tenant_b.location.pk, offer.pk),
                           {f"offer-{offer.pk}-doses": 5})
    assert response.status_code == 404 and not MarketplaceRequest.objects.exists()


# The poster's decision

def test_my_offers_shows_requests_with_accept_and_decline(client, made, tenant_a):
    client.force_login(tenant_a.coordinator)
    page = body(client.get(url("marketplace_offers", tenant_a.location.pk)))
    assert "Clinic B1" in page and "Saturday clinic" in page
    assert url("marketplace_request_accept", tenant_a.location.pk, made.pk) in page
    assert url("marketplace_request_decline", tenant_a.location.pk, made.pk) in page


def test_front_desk_sees_my_offers_without_buttons(client, made, tenant_a):
    client.force_login(tenant_a.front_desk)
    page = body(client.get(url("marketplace_offers", tenant_a.location.pk)))
    assert "Clinic B1" in page and "/accept/" not in page and "/withdraw/" not in page
    assert client.post(url("marketplace_request_accept", tenant_a.location.pk, made.pk)).status_code == 403


def test_accepting_makes_a_transfer_awaiting_approval_and_reserves_the_doses(client, made, tenant_a, tenant_b):
    client.force_login(tenant_a.manager)
    response = client.post(url("marketplace_request_accept", tenant_a.location.pk, made.pk), follow=True)
    assert "a transfer now awaits the Immunization Branch&#x27;s approval" in body(response)
    transfer = Transfer.objects.get()
    assert (transfer.status, transfer.doses, transfer.to_location) == (c.TransferStatus.REQUESTED, 20,
                                                                        tenant_b.location)
    assert InventoryLot.objects.get(pk=made.offer.lot_id).reserved == 20
    client.force_login(tenant_b.coordinator)
    page = body(client.get(url("marketplace_requests", tenant_b.location.pk)))
    assert f"Transfer #{transfer.pk}: Awaiting state approval" in page


def test_a_second_accept_says_what_happened_and_changes_nothing(client, made, tenant_a):
    client.force_login(tenant_a.manager)
    client.post(url("marketplace_request_accept", tenant_a.location.pk, made.pk))
    response = client.post(url("marketplace_request_accept", tenant_a.location.pk, made.pk), follow=True)
    assert "This request is already accepted." in body(response)
    assert Transfer.objects.count() == 1 and InventoryLot.objects.get(pk=made.offer.lot_id).reserved == 20


def test_a_manager_of_another_organization_cannot_accept_through_their_own_location(client, made, tenant_b):
    """The requester's own location in the address does not open the poster's decision."""
    client.force_login(tenant_b.manager)
    for name in ("marketplace_request_accept", "marketplace_request_decline"):
        assert client.post(url(name, tenant_b.location.pk, made.pk)).status_code == 404
    assert MarketplaceRequest.objects.get(pk=made.pk).status == c.OfferRequestStatus.PENDING


def test_the_poster_cannot_withdraw_the_requesters_request(client, made, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.post(url("marketplace_request_withdraw", tenant_a.location.pk, made.pk)).status_code == 404


def test_a_requester_cannot_withdraw_the_offer(client, made, tenant_b):
    client.force_login(tenant_b.manager)
    assert client.post(url("marketplace_offer_withdraw", tenant_b.location.pk, made.offer_id)).status_code == 404


def test_declining_shows_the_request_declined(client, made, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(url("marketplace_request_decline", tenant_a.location.pk, made.pk), follow=True)
    assert "The request was declined." in body(response) and "Declined" in body(response)


def test_withdrawing_the_offer_closes_it(client, made, tenant_a):
    client.force_login(tenant_a.coordinator)
    response = client.post(url("marketplace_offer_withdraw", tenant_a.location.pk, made.offer_id), follow=True)
    assert "The offer was withdrawn." in body(response)
    assert MarketplaceOffer.objects.get().status == c.OfferStatus.WITHDRAWN


def test_the_requester_withdraws_a_pending_request(client, made, tenant_b):
    client.force_login(tenant_b.coordinator)
    response = client.post(url("marketplace_request_withdraw", tenant_b.location.pk, made.pk), follow=True)
    assert "Your request was withdrawn." in body(response)
    assert MarketplaceRequest.objects.get().status == c.OfferRequestStatus.WITHDRAWN


def test_the_decision_buttons_take_no_get(client, made, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(url("marketplace_request_accept", tenant_a.location.pk, made.pk)).status_code == 405


def test_my_requests_of_an_accepted_offer_show_in_few_queries(client, offer, tenant_a, tenant_b,
                                                              django_assert_max_num_queries):
    request_accept(request=offer_request(offer=offer, location=tenant_b.location, doses=5, actor=tenant_b.manager),
                   actor=tenant_a.manager)
    client.force_login(tenant_b.manager)
    with django_assert_max_num_queries(14):
        assert client.get(url("marketplace_requests", tenant_b.location.pk)).status_code == 200
    client.force_login(tenant_a.manager)
    with django_assert_max_num_queries(14):
        assert client.get(url("marketplace_offers", tenant_a.location.pk)).status_code == 200


@pytest.mark.parametrize("params", [{"product": str(10**30)}, {"product": "x"}, {"county": "Nowhere"},
                                    {"expires_within": str(10**30)}, {"expires_within": "-1"}, {"page": "x"},
                                    {"page": str(10**30)}])
def test_filters_that_are_no_choice_are_named_never_a_500(client, offer, tenant_b, params):
    client.force_login(tenant_b.manager)
    response = client.get(url("marketplace", tenant_b.location.pk), params)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "usa-error-message" in body(response)


def test_an_accepted_request_links_to_its_transfer_from_both_locations(client, tenant_a, tenant_b):
    from cvms.inventory.models import MarketplaceRequest
    from cvms.inventory.services.marketplace import offer_post, offer_request, request_accept

    for location in (tenant_a.location, tenant_b.location):
        location.is_active = True
        location.save(update_fields=["is_active"])
    offer = offer_post(lot=_lot(tenant_a), doses=20, actor=tenant_a.manager)
    asked = offer_request(offer=offer, location=tenant_b.location, doses=5, actor=tenant_b.manager)
    request_accept(request=asked, actor=tenant_a.manager)
    transfer = MarketplaceRequest.objects.get(pk=asked.pk).transfer
    client.force_login(tenant_b.manager)
    mine = body(client.get(url("marketplace_requests", tenant_b.location.pk)))
    assert f'href="{url("transfer", tenant_b.location.pk, transfer.pk)}"' in mine
    client.force_login(tenant_a.manager)
    theirs = body(client.get(url("marketplace_offers", tenant_a.location.pk)))
    assert f'href="{url("transfer", tenant_a.location.pk, transfer.pk)}"' in theirs
    assert client.get(url("transfer", tenant_a.location.pk, transfer.pk)).status_code == 200
