import datetime

from django.urls import reverse
from django.utils import timezone

from cvms.immunizations import choices as c
from cvms.immunizations.services.administer import immunization_mark_entered_in_error, immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory


def test_recipient_sees_own_record_and_completed_doses_only(client, tenant_a):
    lot = lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="EW0182",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    first = immunization_record(recipient=tenant_a.recipient, lot=lot, dose_number=1, site=c.Site.LEFT_ARM,
                                given_by=tenant_a.vaccinator)
    immunization_mark_entered_in_error(immunization=first, actor=tenant_a.manager, reason="duplicate entry")
    immunization_record(recipient=tenant_a.recipient, lot=lot, dose_number=2, site=c.Site.LEFT_ARM,
                        given_by=tenant_a.vaccinator)
    client.force_login(tenant_a.recipient_user)
    response = client.get(reverse("recipient_portal:home"))
    assert response.status_code == 200
    assert [i.dose_number for i in response.context["immunizations"]] == [2]
    assert tenant_a.recipient.last_name in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(reverse("recipient_portal:home")).status_code == 302


def test_wrong_method_is_405(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    assert client.post(reverse("recipient_portal:home")).status_code == 405


def test_recipient_of_another_tenant_sees_only_their_own(client, tenant_a, tenant_b):
    client.force_login(tenant_b.recipient_user)
    body = client.get(reverse("recipient_portal:home")).content.decode()
    assert tenant_b.recipient.last_name in body and tenant_a.recipient.last_name not in body


def test_providers_get_403(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(reverse("recipient_portal:home")).status_code == 403
