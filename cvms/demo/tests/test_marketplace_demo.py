"""The demo's Vaccine Marketplace is not empty: an open offer of another organization, a request on it."""

from cvms.demo.seed import seed_demo_everywhere
from cvms.inventory import choices as c
from cvms.inventory.selectors import marketplace_open_offers
from cvms.organizations.models import Location


def test_the_demo_clinics_find_the_pharmacys_open_offer_and_seeding_twice_adds_nothing(reference_data):
    logins = seed_demo_everywhere()
    seed_demo_everywhere()
    raleigh = Location.objects.get(name="Triangle Health Raleigh Clinic")
    (offer,) = marketplace_open_offers(for_location=raleigh)
    assert offer.location.organization != raleigh.organization and offer.remaining == 100
    (pending,) = offer.requests.all()
    assert pending.status == c.OfferRequestStatus.PENDING and pending.location.name == "Triangle Health Durham Clinic"
    assert "pharmacy@example.com" in {login.email for login in logins}
