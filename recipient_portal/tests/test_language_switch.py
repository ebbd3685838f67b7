"""The English/Español switch on every page a recipient sees, signed in or not (FAQ 35): it keeps
the person on the same page, and a signed-in recipient's choice becomes their account's and their
record's language, so emails and texts follow it."""

import datetime
import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

from cvms.core.models import AuditLog
from cvms.recipients.tests.factories import RecipientFactory
from cvms.recipients.welcome import recipient_username_choose, welcome_token

SWITCH = reverse("set_language")
PUBLIC = ["home", "account_login", "recipient_portal:claim", "recipient_portal:register", "recipient_portal:find",
          "recipient_portal:verify"]
SIGNED_IN = ["recipient_portal:home", "recipient_portal:group_questions", "recipient_portal:preferences",
             "recipient_portal:appointments"]


def _switch_back_to(page_html: str) -> str:
    """Where the page's language switcher sends the person after switching."""
    form = re.search(r'<form class="cvms-language-switcher" action="([^"]+)"[^>]*>(.*?)</form>', page_html, re.S)
    assert form, "the page has no language switcher"
    assert form.group(1) == SWITCH
    assert 'value="es"' in form.group(2) and 'value="en"' in form.group(2)
    return html.unescape(re.search(r'name="next" value="([^"]*)"', form.group(2)).group(1))


def _switches_to_spanish_and_stays(client, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert _switch_back_to(page.content.decode()) == path
    response = client.post(SWITCH, {"language": "es", "next": path})
    assert response.status_code == 302 and response.url == path
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es"' in client.get(path).content.decode()


@pytest.mark.parametrize("name", PUBLIC)
def test_a_visitor_switches_to_spanish_and_stays_on_the_page(client, db, name):
    _switches_to_spanish_and_stays(client, reverse(name))


def test_the_welcome_page_switches_to_spanish_and_stays_on_the_page(client, db):
    recipient = RecipientFactory(email="nora@example.com", preferred_language="en")
    recipient_username_choose(recipient=recipient)
    _switches_to_spanish_and_stays(client, reverse("recipient_portal:welcome", args=[welcome_token(recipient)]))


@pytest.mark.parametrize("name", SIGNED_IN)
def test_a_signed_in_recipient_switches_and_their_record_follows(client, tenant_a, name):
    client.force_login(tenant_a.recipient_user)
    _switches_to_spanish_and_stays(client, reverse(name))
    tenant_a.recipient.refresh_from_db()
    tenant_a.recipient_user.refresh_from_db()
    assert (tenant_a.recipient_user.preferred_language, tenant_a.recipient.preferred_language) == ("es", "es")


def test_the_records_new_language_is_audited(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    client.post(SWITCH, {"language": "es", "next": reverse("recipient_portal:home")})
    entry = AuditLog.objects.filter(action="registry.recipient.updated",
                                    object_id=str(tenant_a.recipient.pk)).latest("pk")
    assert entry.actor == tenant_a.recipient_user and entry.changes["preferred_language"] == ["en", "es"]


def test_a_record_out_of_step_with_its_account_catches_up_at_the_next_switch(client, tenant_a):
    tenant_a.recipient_user.preferred_language = "es"
    tenant_a.recipient_user.save(update_fields=["preferred_language"])
    client.force_login(tenant_a.recipient_user)
    client.post(SWITCH, {"language": "es", "next": reverse("recipient_portal:home")})
    tenant_a.recipient.refresh_from_db()
    assert tenant_a.recipient.preferred_language == "es"


def test_switching_changes_no_other_recipients_record(client, tenant_a, tenant_b):
    client.force_login(tenant_a.recipient_user)
    client.post(SWITCH, {"language": "es", "next": reverse("recipient_portal:home")})
    tenant_b.recipient.refresh_from_db()
    assert tenant_b.recipient.preferred_language == "en"


def test_a_language_the_site_does_not_offer_changes_nothing(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    client.post(SWITCH, {"language": "fr", "next": reverse("recipient_portal:home")})
    tenant_a.recipient.refresh_from_db()
    assert tenant_a.recipient.preferred_language == "en"


def test_a_switch_to_another_site_lands_on_the_home_page(client, db):
    response = client.post(SWITCH, {"language": "es", "next": "https://evil.example.com/"})
    assert response.status_code == 302 and "evil" not in response.url


def test_someone_who_claims_their_record_in_spanish_keeps_spanish_on_file(client, db, mailoutbox):
    from recipient_portal.tests.test_claim_views import FIND, NEW_PASSWORD, emailed_code

    walk_in = RecipientFactory(first_name="Rosa", last_name="Diaz", date_of_birth=datetime.date(1985, 3, 14),
                               email="rosa@example.com", preferred_language="en")
    claim = reverse("recipient_portal:claim")
    client.post(SWITCH, {"language": "es", "next": claim})
    client.post(claim, FIND)
    client.post(reverse("recipient_portal:claim_code"), {"code": emailed_code(mailoutbox)})
    response = client.post(reverse("recipient_portal:claim_password"), NEW_PASSWORD)
    assert response.status_code == 302
    walk_in.refresh_from_db()
    assert (walk_in.preferred_language, walk_in.user.preferred_language) == ("es", "es")
    assert '<html lang="es"' in client.get(response.url).content.decode()
