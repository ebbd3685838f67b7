"""A recipient never sees another recipient's data, on any page of the portal: every URL of
``recipient_portal/urls.py`` visited by recipient B while recipient A has a full record (a dose and
its lot, a phone, an address, a group, a request, an appointment). No page, PDF or health card file
of B's shows anything of A's, and every URL that names one of A's objects answers 404."""

import datetime
import io
import json
import zlib

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from cvms.eligibility.services import eligibility_answer
from cvms.eligibility.tests.helpers import nc_groups
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients import choices as c
from cvms.recipients.registration import recipient_registration_complete
from cvms.recipients.requests import recipient_request_open
from recipient_portal import urls
from tests.test_cross_tenant import TENANT_A_OBJECTS

pytestmark = pytest.mark.django_db

#: Every page of the portal, by name, with the parameters it takes.
PORTAL_URLS = sorted((f"recipient_portal:{entry.name}", sorted(entry.pattern.converters))
                     for entry in urls.urlpatterns if isinstance(entry, URLPattern))
#: A location's booking page is public (any resident books there): its id is no recipient's.
PUBLIC_PARAMETERS = {"location_id"}


def _dose(tenant, lot_number: str):
    lot = lot_receive(location=tenant.location, product=VaccineProductFactory(), lot_number=lot_number,
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    return immunization_record(recipient=tenant.recipient, lot=lot, given_by=tenant.vaccinator)


def _register(recipient, *, address: str, phone: str) -> None:
    recipient_registration_complete(
        recipient=recipient, actor=recipient.user, first_name=recipient.first_name, last_name=recipient.last_name,
        date_of_birth=recipient.date_of_birth, sex="F", race=["2106-3"], ethnicity="2186-5", address_line1=address,
        city="Raleigh", state="NC", zip_code="27601", county="Wake", phone=phone, employer=recipient.employer.name,
        industry="healthcare",
        health={name: "no" for name in ("severe_allergy", "pregnant", "bleeding_disorder", "immunocompromised",
                                        "recent_covid", "recent_vaccine")})


@pytest.fixture
def a_full_record(tenant_a):
    """Recipient A with something on every page of the portal; returns what only A's pages show."""
    recipient = tenant_a.recipient
    recipient.email = "rita.only-a@example.com"
    recipient.save(update_fields=["email"])
    _register(recipient, address="77 Only-A Lane", phone="9195550177")
    TENANT_A_OBJECTS["appointment_id"](tenant_a)  # booked for dose 1, before the dose
    dose = _dose(tenant_a, "LOTONLYA")
    groups = nc_groups()
    eligibility_answer(recipient=recipient, industry="healthcare", conditions=[], living_setting="home",
                       actor=recipient.user)
    recipient_request_open(recipient=recipient, actor=recipient.user, kind=c.RequestKind.CORRECTION,
                           subject="dose", details="Only A knows this request", wanted="Only A wants this")
    group_one = next(group for group in groups if group.order == 1)
    return [recipient.first_name, recipient.last_name, recipient.email, "9195550177", "(919) 555-0177",
            "77 Only-A Lane", dose.lot.lot_number, group_one.name_en, "Only A knows this request", "Only A wants this",
            tenant_a.employer.name, tenant_a.location.name]


@pytest.fixture
def b_signed_in(client, tenant_b):
    """Recipient B, vaccinated (so the PDF and the card file are served), signed in."""
    _dose(tenant_b, "LOTOFB")
    client.force_login(tenant_b.recipient_user)
    return client


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _card_payload(content: bytes) -> str:
    """The signed data of every card in a ``.smart-health-card`` file, as text."""
    from cvms.health_cards.verify import _b64

    cards = json.loads(content)["verifiableCredential"]
    return " ".join(zlib.decompress(_b64(compact.split(".")[1], "payload"), wbits=-15).decode() for compact in cards)


def _readable(response) -> str:
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if kind.startswith("application/pdf"):
        return _pdf_text(content)
    if "smart-health-card" in kind:
        return _card_payload(content)
    return content.decode(errors="replace")


@pytest.mark.parametrize("name", [name for name, params in PORTAL_URLS if not params])
def test_no_page_of_the_portal_shows_recipient_b_anything_of_recipient_a(b_signed_in, a_full_record, tenant_b,
                                                                        name):
    response = b_signed_in.get(reverse(name))
    if response.status_code == 405:
        response = b_signed_in.post(reverse(name))
    assert response.status_code < 500
    body = _readable(response)
    leaked = [secret for secret in a_full_record if secret in body]
    assert not leaked, f"recipient B saw {leaked} at {name}"


def test_the_pdf_and_the_card_file_carry_recipient_b_s_record_only(b_signed_in, a_full_record, tenant_b):
    for name in ("recipient_portal:health_card_pdf", "recipient_portal:health_card_file"):
        response = b_signed_in.get(reverse(name))
        assert response.status_code == 200, name
        body = _readable(response)
        assert tenant_b.recipient.last_name in body and "LOTOFB" in body, name
        assert not [secret for secret in a_full_record if secret in body], name


@pytest.mark.parametrize("name,params", [(name, params) for name, params in PORTAL_URLS
                                         if set(params) - PUBLIC_PARAMETERS])
def test_every_url_naming_recipient_a_s_object_answers_404_to_recipient_b(b_signed_in, a_full_record, tenant_a,
                                                                          name, params):
    url = reverse(name, kwargs={param: TENANT_A_OBJECTS[param](tenant_a) for param in params})
    # A welcome link is refused to anyone signed in before its token is even read.
    refused = 403 if params == ["token"] else 404
    answers = [b_signed_in.get(url), b_signed_in.post(url)]
    assert {answer.status_code for answer in answers} in ({refused}, {refused, 405}), url
    for answer in answers:
        assert not [secret for secret in a_full_record if secret in _readable(answer)], url


def test_recipient_a_finds_each_of_those_details_on_her_own_pages(client, a_full_record, tenant_a):
    """The check above is not empty: every detail it looks for is on one of A's own pages."""
    client.force_login(tenant_a.recipient_user)
    seen = " ".join(_readable(client.get(reverse(name))) for name, params in PORTAL_URLS
                    if not params and name != "recipient_portal:welcome_resend")
    assert [secret for secret in a_full_record if secret not in seen] == []
