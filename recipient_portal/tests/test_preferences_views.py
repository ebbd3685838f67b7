"""Contact details and preferences: email, mobile phone (any format, digits kept), how to be
contacted, language; every change audited."""

from django.conf import settings
from django.urls import reverse

from cvms.core.models import AuditLog

URL = reverse("recipient_portal:preferences")
CHOICES = {"email": "rita@example.com", "phone": "(919) 555-0123", "contact_preference": "text",
           "preferred_language": "es"}


def test_a_recipient_changes_phone_preference_and_language(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    response = client.post(URL, CHOICES)
    assert response.status_code == 302 and response.url == reverse("recipient_portal:home")
    recipient = tenant_a.recipient
    recipient.refresh_from_db()
    assert (recipient.phone, recipient.contact_preference, recipient.preferred_language) == ("9195550123", "text", "es")
    tenant_a.recipient_user.refresh_from_db()
    assert tenant_a.recipient_user.preferred_language == "es"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    entry = AuditLog.objects.filter(action="registry.recipient.updated", object_id=str(recipient.pk)).latest("pk")
    assert entry.actor == tenant_a.recipient_user and "phone" in entry.changes


def test_the_page_shows_what_is_on_file(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["form"].initial["email"] == tenant_a.recipient.email


def test_texts_need_a_phone_number(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    response = client.post(URL, {**CHOICES, "phone": ""})
    assert response.status_code == 200 and "Enter a mobile phone number" in response.content.decode()


def test_a_phone_number_that_is_not_10_digits_is_told_beside_the_field(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    response = client.post(URL, {**CHOICES, "phone": "555-01"})
    assert response.status_code == 200 and "Enter 10 digits" in response.content.decode()


def test_not_being_contacted_is_a_choice(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    client.post(URL, {**CHOICES, "email": "", "phone": "", "contact_preference": "none"})
    tenant_a.recipient.refresh_from_db()
    assert tenant_a.recipient.contact_preference == "none"


def test_a_phone_call_is_not_offered_to_choose_here(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    assert client.post(URL, {**CHOICES, "contact_preference": "phone"}).status_code == 200
    tenant_a.recipient.refresh_from_db()
    assert tenant_a.recipient.contact_preference != "phone"


def test_each_recipient_changes_only_their_own(client, tenant_a, tenant_b):
    client.force_login(tenant_b.recipient_user)
    client.post(URL, CHOICES)
    tenant_a.recipient.refresh_from_db()
    assert tenant_a.recipient.phone != "9195550123"


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(URL).status_code == 302


def test_providers_get_403(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(URL).status_code == 403


def test_wrong_method_is_405(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    assert client.put(URL).status_code == 405


def test_the_page_speaks_spanish_to_someone_who_chose_it(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(URL)
    assert '<html lang="es"' in page.content.decode()
