import datetime

from django.urls import reverse
from django.utils import timezone

from cvms.immunizations import choices as c
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory


def _stock(tenant):
    lot = lot_receive(location=tenant.location, product=VaccineProductFactory(), lot_number="EK9231",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=12)
    immunization_record(recipient=tenant.recipient, lot=lot, dose_number=1, site=c.Site.LEFT_DELTOID,
                        given_by=tenant.vaccinator)
    return lot


def test_home_lists_my_locations_with_stock(client, tenant_a):
    _stock(tenant_a)
    client.force_login(tenant_a.manager)
    response = client.get(reverse("provider_portal:home"))
    assert response.status_code == 200
    [location] = response.context["locations"]
    assert location == tenant_a.location and location.doses_on_hand == 11 and location.lot_count == 1


def test_every_provider_role_reaches_the_portal(client, tenant_a):
    for user in (tenant_a.manager, tenant_a.coordinator, tenant_a.vaccinator, tenant_a.front_desk):
        client.force_login(user)
        assert client.get(reverse("provider_portal:home")).status_code == 200


def test_location_page_shows_pin_inventory_and_vaccinations(client, tenant_a):
    _stock(tenant_a)
    client.force_login(tenant_a.vaccinator)
    response = client.get(reverse("provider_portal:location", args=[tenant_a.location.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert tenant_a.location.provider_pin in body and "EK9231" in body and tenant_a.recipient.last_name in body


def test_anonymous_is_sent_to_sign_in(client, tenant_a):
    response = client.get(reverse("provider_portal:location", args=[tenant_a.location.pk]))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_wrong_method_is_405(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.post(reverse("provider_portal:home")).status_code == 405


def test_provider_of_another_organization_gets_404(client, tenant_a, tenant_b):
    client.force_login(tenant_b.manager)
    assert client.get(reverse("provider_portal:location", args=[tenant_a.location.pk])).status_code == 404


def test_people_without_a_provider_role_get_403(client, tenant_a, outsider):
    for user in (tenant_a.recipient_user, outsider):
        client.force_login(user)
        assert client.get(reverse("provider_portal:home")).status_code == 403


def test_organization_administrators_visit_for_their_dashboard_and_open_no_location_page(client, tenant_a):
    client.force_login(tenant_a.org_admin)
    home = client.get(reverse("provider_portal:home"))
    assert home.status_code == 200
    assert list(home.context["dashboard_organizations"]) == [tenant_a.organization]
    assert 'data-testid="provider-locations"' not in home.content.decode()
    assert client.get(reverse("provider_portal:location", args=[tenant_a.location.pk])).status_code == 403
