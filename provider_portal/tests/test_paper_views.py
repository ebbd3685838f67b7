"""The Paper forms tab: the how-to, and each form's PDF in each language, for everyone at the location."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cvms.immunizations.tests.history_fixtures import receive
from cvms.immunizations.tests.test_paper_forms import text_of

FORMS = {"paper_form_registration": "recipient-registration-and-vaccine-administration",
         "paper_form_inventory_levels": "inventory-levels"}


def _url(name, tenant, *args):
    return reverse(f"provider_portal:{name}", args=[tenant.location.pk, *args])


def test_the_page_lists_each_form_in_each_language_and_how_to_enter_them_later(client, tenant_a):
    client.force_login(tenant_a.front_desk)
    response = client.get(_url("paper_forms", tenant_a))
    assert response.status_code == 200
    body = response.content.decode()
    for name in FORMS:
        for language in ("en", "es"):
            assert _url(name, tenant_a, language) in body
    assert "Download (PDF, English)" in body and "Download (PDF, Spanish)" in body
    assert _url("checkin", tenant_a) in body and "Back-entry from a paper form" in body
    assert "ahead of an outage" in body and 'aria-current="page">Paper forms' in body


@pytest.mark.parametrize("name", sorted(FORMS))
@pytest.mark.parametrize("language", ["en", "es"])
def test_each_form_downloads_as_a_pdf_that_opens(client, tenant_a, name, language):
    receive(tenant_a, "FN7934")
    client.force_login(tenant_a.vaccinator)
    response = client.get(_url(name, tenant_a, language))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{FORMS[name]}-{language}.pdf"'
    assert len(PdfReader(io.BytesIO(response.content)).pages) >= 1
    assert "FN7934" in text_of(response.content) and tenant_a.location.name in text_of(response.content)


def test_the_spanish_form_is_spanish_whatever_the_page_language(client, tenant_a):
    client.force_login(tenant_a.manager)
    spanish_form = text_of(client.get(_url("paper_form_registration", tenant_a, "es")).content)
    assert "Fecha de nacimiento" in spanish_form
    client.cookies["django_language"] = "es"
    assert "Date of birth" in text_of(client.get(_url("paper_form_registration", tenant_a, "en")).content)


def test_a_language_the_site_does_not_speak_is_not_found(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(_url("paper_form_registration", tenant_a, "fr")).status_code == 404


def test_state_staff_may_download_and_people_elsewhere_may_not(client, tenant_a, tenant_b, state_reviewer):
    client.force_login(state_reviewer)
    assert client.get(_url("paper_form_inventory_levels", tenant_a, "en")).status_code == 200
    client.force_login(tenant_b.manager)
    assert client.get(_url("paper_forms", tenant_a)).status_code == 404
    assert client.get(_url("paper_form_inventory_levels", tenant_a, "en")).status_code == 404


def test_wrong_method_and_anonymous(client, tenant_a):
    for url in (_url("paper_forms", tenant_a), _url("paper_form_registration", tenant_a, "en")):
        assert client.get(url).status_code == 302
        client.force_login(tenant_a.manager)
        assert client.post(url).status_code == 405
        client.logout()


def test_only_people_who_check_recipients_in_are_sent_to_the_check_in_page(client, tenant_a, state_reviewer):
    client.force_login(state_reviewer)  # reads every location, checks nobody in
    body = client.get(_url("paper_forms", tenant_a)).content.decode()
    assert _url("checkin", tenant_a) not in body and "Back-entry from a paper form" in body
    client.force_login(tenant_a.front_desk)
    assert _url("checkin", tenant_a) in client.get(_url("paper_forms", tenant_a)).content.decode()
