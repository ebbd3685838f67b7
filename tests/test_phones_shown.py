"""Every page and email that shows a phone number shows it grouped, and on a page as a link that dials it."""

from django.urls import reverse

from cvms.core.mail import render_email
from cvms.recipients.models import Recipient
from enrollment.services import drafting
from enrollment.tests.factories import add_location, fill_section_a

DIALED = '<a class="usa-link" href="tel:+19195550100">(919) 555-0100</a>'


def test_the_recipient_sees_their_phone_grouped(client, tenant_a):
    Recipient.objects.filter(pk=tenant_a.recipient.pk).update(phone="9195550100")
    client.force_login(tenant_a.recipient_user)
    html = client.get(reverse("recipient_portal:home")).content.decode()
    assert DIALED in html and "9195550100<" not in html


def test_the_agreement_to_sign_shows_organization_location_and_contact_phones_grouped(client, tenant_a):
    agreement = drafting.agreement_start(user=tenant_a.org_admin, legal_name="Phone Clinic", provider_type="pharmacy")
    version = agreement.versions.get()
    fill_section_a(version, tenant_a.org_admin)
    add_location(version, tenant_a.org_admin)
    client.force_login(tenant_a.org_admin)
    html = client.get(reverse("enrollment:submit", args=[agreement.pk])).content.decode()
    assert DIALED in html and 'href="tel:+19195550111">(919) 555-0111</a>' in html
    assert "9195550100<" not in html and "· 9195550111" not in html


def test_help_lines_are_grouped_on_the_help_desk_page_and_in_emails(client, db, settings):
    settings.CVMS_HELPDESK_PHONE, settings.CVMS_RECIPIENT_HELP_PHONE = "8778736247", "8886754567"
    html = client.get(reverse("helpdesk:home")).content.decode()
    assert 'href="tel:+18778736247">(877) 873-6247</a>' in html
    assert 'href="tel:+18886754567">(888) 675-4567</a>' in html
    context = {"version": None, "event": "submitted", "organization": None, "url": "https://cvms.example/"}
    _subject, text, html = render_email("enrollment/email/agreement_notice", context)
    assert "(877) 873-6247" in text and 'href="tel:+18778736247"' in html
