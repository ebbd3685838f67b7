import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.health_cards.verify import health_card_verify
from cvms.immunizations import choices as c
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory

URL = "/recipient/health-card.smart-health-card"


def _dose(tenant):
    lot = lot_receive(location=tenant.location, product=VaccineProductFactory(cvx="208"), lot_number="FK5127",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    return immunization_record(recipient=tenant.recipient, lot=lot, dose_number=1, site=c.Site.LEFT_ARM,
                               given_by=tenant.vaccinator)


def _download_from_home(client, tenant, name: str, testid: str, content_type: str):
    """Sign in as ``tenant``'s recipient with a dose, find the home page's link, follow it."""
    _dose(tenant)
    client.force_login(tenant.recipient_user)
    assert f'data-testid="{testid}"' in client.get(reverse("recipient_portal:home")).content.decode()
    response = client.get(reverse(name))
    assert response.status_code == 200 and response["Content-Type"] == content_type
    return response


def test_recipient_downloads_their_own_card_which_verifies(client, tenant_a):
    assert reverse("recipient_portal:health_card_file") == URL
    response = _download_from_home(client, tenant_a, "recipient_portal:health_card_file", "health-card-file",
                                   "application/smart-health-card")
    assert "attachment" in response["Content-Disposition"]
    check, = health_card_verify(text=response.content, filename="covid-19-vaccination.smart-health-card")
    assert check.valid and tenant_a.recipient.last_name in check.name and check.doses[0].lot == "FK5127"
    assert AuditLog.objects.filter(action="health_cards.card.issued", actor_label=tenant_a.recipient_user.email)


def test_a_recipient_without_doses_gets_no_card_and_no_link(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    assert 'data-testid="health-card-file"' not in client.get(reverse("recipient_portal:home")).content.decode()
    assert client.get(URL).status_code == 404


def test_another_tenants_recipient_gets_only_their_own_card(client, tenant_a, tenant_b):
    _dose(tenant_a)
    client.force_login(tenant_b.recipient_user)
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in_and_providers_get_403(client, tenant_a):
    assert client.get(URL).status_code == 302
    client.force_login(tenant_a.manager)
    assert client.get(URL).status_code == 403


def test_wrong_method_is_405(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    assert client.post(URL).status_code == 405


PDF_URL = "/recipient/health-card.pdf"


def _text_of(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_recipient_downloads_their_record_with_its_card_as_a_pdf(client, tenant_a):
    assert reverse("recipient_portal:health_card_pdf") == PDF_URL
    response = _download_from_home(client, tenant_a, "recipient_portal:health_card_pdf", "health-card-pdf",
                                   "application/pdf")
    text = _text_of(response.content)
    assert text.startswith("COVID-19 Vaccination Record")
    assert f"{tenant_a.recipient.first_name} {tenant_a.recipient.last_name}" in text
    assert "FK5127" in text and tenant_a.location.name in text and "SMART Health Card" in text


def test_the_pdf_is_in_the_language_the_page_is_read_in(client, tenant_a):
    _dose(tenant_a)
    client.force_login(tenant_a.recipient_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get(PDF_URL)
    assert response.status_code == 200 and response.headers["Content-Language"] == "es"


def test_the_pdf_is_refused_without_doses_and_to_anyone_else(client, tenant_a, tenant_b):
    _dose(tenant_a)
    client.force_login(tenant_b.recipient_user)
    assert client.get(PDF_URL).status_code == 404
    client.force_login(tenant_a.manager)
    assert client.get(PDF_URL).status_code == 403
    client.logout()
    assert client.get(PDF_URL).status_code == 302
    assert client.post(PDF_URL).status_code in (302, 405)
