"""The registration form, the landing after getting in, the home's call to action, and "Request a
correction": the signed-in recipient's own record only, clear errors, never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.recipients.models import HealthScreening, RecipientRequest

URL = reverse("recipient_portal:registration")
HOME = reverse("recipient_portal:home")
REQUESTS = reverse("recipient_portal:requests")
CORRECTION = reverse("recipient_portal:correction_request")
HEALTH = {"severe_allergy": "no", "pregnant": "unsaid", "bleeding_disorder": "no", "immunocompromised": "no",
          "recent_covid": "no", "recent_vaccine": "yes"}


def form_for(recipient, **changes):
    data = {"first_name": recipient.first_name, "last_name": recipient.last_name,
            "date_of_birth": recipient.date_of_birth.strftime("%m/%d/%Y"), "sex": "M", "race": ["2028-9"],
            "ethnicity": "2135-2", "address_line1": "12 Oak Ave", "address_line2": "", "city": "Durham",
            "state": "NC", "zip_code": "27701", "county": "Durham", "phone": "919.555.0100", "employer": "",
            "industry": "other", **HEALTH}
    data.update(changes)
    return data


def _dose(tenant):
    from cvms.immunizations.services.administer import immunization_record
    from cvms.inventory.services.stock import lot_receive
    from cvms.inventory.tests.factories import VaccineProductFactory

    lot = lot_receive(location=tenant.location, product=VaccineProductFactory(cvx="208"), lot_number="FK5127",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    return immunization_record(recipient=tenant.recipient, lot=lot, given_by=tenant.vaccinator)


def test_a_recipient_registers_and_goes_on_to_find_my_group(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    page = client.get(URL)
    assert page.status_code == 200 and page.context["form"].initial["first_name"] == tenant_a.recipient.first_name
    response = client.post(URL, form_for(tenant_a.recipient))
    assert response.status_code == 302 and response.url == reverse("recipient_portal:group_questions")
    recipient = tenant_a.recipient
    recipient.refresh_from_db()
    assert recipient.registered_at and recipient.phone == "9195550100" and recipient.employer is None
    assert HealthScreening.objects.get(recipient=recipient).recent_vaccine == "yes"
    assert AuditLog.objects.filter(action="registry.recipient.registered", actor=tenant_a.recipient_user).exists()


def test_someone_with_a_group_already_goes_home_after_saving(client, tenant_a):
    from cvms.eligibility.services import eligibility_answer

    eligibility_answer(recipient=tenant_a.recipient, actor=tenant_a.recipient_user, industry="other", conditions=[],
                       living_setting="home")
    client.force_login(tenant_a.recipient_user)
    response = client.post(URL, form_for(tenant_a.recipient))
    assert response.status_code == 302 and response.url == HOME


def test_the_form_shows_what_the_record_holds_and_an_uploaded_employer_is_kept(client, tenant_a):
    recipient = tenant_a.recipient  # uploaded by tenant A's employer
    client.force_login(tenant_a.recipient_user)
    form = client.get(URL).context["form"]
    assert form.initial["employer"] == tenant_a.employer.name and form.initial["sex"] == ""
    client.post(URL, form_for(recipient, employer=tenant_a.employer.name, industry="healthcare"))
    recipient.refresh_from_db()
    assert recipient.employer == tenant_a.employer and recipient.industry == "healthcare"


@pytest.mark.parametrize("field,value,message", [
    ("date_of_birth", "01/01/1890", "between 1/1/1900 and today"),
    ("date_of_birth", (datetime.date.today() + datetime.timedelta(days=3)).strftime("%m/%d/%Y"), "between"),
    ("date_of_birth", "x" * 10_000, "Enter a valid date"),
    ("first_name", "Ri\x00ta", "Null characters are not allowed"),
    ("last_name", "Ѕmith", "different alphabets"),
    ("city", "c" * 10_000, "at most 100 characters"),
    ("zip_code", "ABCDE", "5-digit ZIP"),
    ("phone", "555-01", "Enter 10 digits"),
    ("pregnant", "maybe", "Select a valid choice"),
    ("industry", "", "This field is required"),
    ("employer", "Health System A", "among the state's employers"),
])
def test_bad_input_is_told_beside_its_field_never_a_500(client, tenant_a, field, value, message):
    client.force_login(tenant_a.recipient_user)
    response = client.post(URL, form_for(tenant_a.recipient, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    tenant_a.recipient.refresh_from_db()
    assert tenant_a.recipient.registered_at is None


def test_once_a_dose_is_given_name_and_birth_date_are_shown_not_editable(client, tenant_a):
    _dose(tenant_a)
    recipient = tenant_a.recipient
    client.force_login(tenant_a.recipient_user)
    page = client.get(URL).content.decode()
    assert 'data-testid="identity-locked"' in page and CORRECTION in page
    response = client.post(URL, form_for(recipient, first_name="Someone", date_of_birth="01/01/1970"))
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert recipient.first_name.startswith("Rita") and recipient.date_of_birth == datetime.date(1985, 3, 14)
    assert recipient.registered_at


def test_home_asks_to_complete_the_registration_then_offers_to_update_it(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    home = client.get(HOME)
    assert home.status_code == 200  # not registering is a valid choice: the home works
    assert 'data-testid="registration-call"' in home.content.decode()
    client.post(URL, form_for(tenant_a.recipient))
    home = client.get(HOME).content.decode()
    assert 'data-testid="registration-call"' not in home and "Update your registration" in home


def test_setting_a_password_from_the_welcome_email_lands_on_the_form_until_registered(client, tenant_a):
    from cvms.recipients.tests.factories import RecipientFactory
    from cvms.recipients.welcome import welcome_token

    waiting = RecipientFactory(portal_username="newbie@example.com.covid19vaccine", email="newbie@example.com")
    link = reverse("recipient_portal:welcome", args=[welcome_token(waiting)])
    response = client.post(link, {"password1": "a-strong-pass-2021", "password2": "a-strong-pass-2021"})
    assert response.status_code == 302 and response.url == URL


def test_the_requests_page_lists_the_recipients_own_requests_and_their_status(client, tenant_a, tenant_b):
    client.force_login(tenant_a.recipient_user)
    assert client.get(CORRECTION + "?about=name").context["form"].initial["subject"] == "name"
    response = client.post(CORRECTION, {"subject": "dose", "details": "My second dose is missing",
                                        "wanted": "Dose 2 on 02/01/2021 at Clinic A1"})
    assert response.status_code == 302 and response.url == REQUESTS
    page = client.get(REQUESTS).content.decode()
    assert "My second dose is missing" in page and "Open" in page
    client.force_login(tenant_b.recipient_user)
    assert "My second dose is missing" not in client.get(REQUESTS).content.decode()


def test_a_correction_request_without_details_is_told_beside_the_field(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    response = client.post(CORRECTION, {"subject": "name", "details": "  ", "wanted": ""})
    assert response.status_code == 400 and "details" in response.context["form"].errors
    assert not RecipientRequest.objects.exists()


def test_the_fourth_open_request_is_refused_with_a_clear_message(client, tenant_a, settings):
    settings.CVMS_RECIPIENT_OPEN_REQUESTS = 3
    client.force_login(tenant_a.recipient_user)
    for _n in range(3):
        client.post(CORRECTION, {"subject": "name", "details": "wrong", "wanted": ""})
    response = client.post(CORRECTION, {"subject": "name", "details": "wrong", "wanted": ""})
    assert response.status_code == 400 and "requests waiting already" in response.content.decode()
    assert RecipientRequest.objects.count() == 3


def test_after_a_name_correction_the_health_card_carries_the_new_name(client, tenant_a, agent):
    from cvms.health_cards.verify import health_card_verify
    from cvms.recipients.requests import recipient_request_open, recipient_request_resolve
    from cvms.recipients.services import recipient_update

    _dose(tenant_a)
    client.force_login(tenant_a.recipient_user)
    before, = health_card_verify(text=client.get(reverse("recipient_portal:health_card_file")).content,
                                 filename="c.smart-health-card")
    assert "RecipientA" in before.name
    asked = recipient_request_open(recipient=tenant_a.recipient, actor=tenant_a.recipient_user, subject="name",
                                   details="Last name misspelled", wanted="Recipiente")
    recipient_update(recipient=tenant_a.recipient, actor=agent, last_name="Recipiente")
    recipient_request_resolve(request=asked, actor=agent, status="done")
    after, = health_card_verify(text=client.get(reverse("recipient_portal:health_card_file")).content,
                                filename="c.smart-health-card")
    assert after.valid and "Recipiente" in after.name and "RecipientA" not in after.name


@pytest.mark.parametrize("url", [URL, REQUESTS, CORRECTION])
def test_anonymous_is_sent_to_sign_in_and_providers_get_403(client, tenant_a, url):
    assert client.get(url).status_code == 302
    client.force_login(tenant_a.manager)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url,method", [(URL, "put"), (REQUESTS, "post"), (CORRECTION, "delete")])
def test_wrong_method_is_405(client, tenant_a, url, method):
    client.force_login(tenant_a.recipient_user)
    assert getattr(client, method)(url).status_code == 405


def test_another_recipients_registration_is_never_read_or_changed(client, tenant_a, tenant_b):
    client.force_login(tenant_b.recipient_user)
    page = client.get(URL).content.decode()
    assert tenant_a.recipient.last_name not in page and tenant_b.recipient.last_name in page
    client.post(URL, form_for(tenant_b.recipient, city="Asheville"))
    tenant_a.recipient.refresh_from_db()
    assert tenant_a.recipient.registered_at is None and tenant_a.recipient.city != "Asheville"


@pytest.mark.parametrize("junk", ["nul\x00byte", "ｆｕｌｌ", "Ѕ" * 3, "x" * 10_000, "\u202e", "٣"])
def test_no_field_of_either_form_answers_junk_with_a_500(client, tenant_a, junk):
    client.force_login(tenant_a.recipient_user)
    for name in form_for(tenant_a.recipient):
        assert client.post(URL, form_for(tenant_a.recipient, **{name: junk})).status_code in (302, 400), name
    for name in ("subject", "details", "wanted"):
        data = {"subject": "name", "details": "wrong", "wanted": "", name: junk}
        assert client.post(CORRECTION, data).status_code in (302, 400), name
    assert client.get(CORRECTION, {"about": junk}).status_code == 200
