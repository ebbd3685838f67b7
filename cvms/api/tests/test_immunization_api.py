"""The dose API over HTTP: a dose recorded through the immunization service with its rules,
idempotency keys, warnings to confirm, refusals beside their field, and entered in error once."""

import datetime
import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.immunizations import choices as c
from cvms.immunizations.models import Immunization
from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory

SOON = timezone.localdate() + datetime.timedelta(days=60)
#: A Pfizer 12+ Gray Cap carton's GS1 DataMatrix (NDC 59267-1025-4): GTIN, expiry, then the lot.
BARCODE = "]d20100359267102546" + "17" + SOON.strftime("%y%m%d") + "10FK5618"


def _lot(location, actor, number="FK5618", doses=6):
    return lot_receive(location=location, product=VaccineProductFactory(), lot_number=number,
                       expiration_date=SOON, doses=doses, actor=actor)


def _on_hand(lot) -> int:
    return InventoryLot.objects.get(pk=lot.pk).on_hand


@pytest.fixture
def lot(tenant_a):
    return _lot(tenant_a.location, tenant_a.manager)


@pytest.fixture
def recipient():
    return RecipientFactory(first_name="Ana", last_name="Lopez", date_of_birth=datetime.date(1980, 5, 17))


def post_dose(client, user, location, body, key="dose-1"):
    client.force_login(user)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(reverse("api:immunizations", args=[location.pk]), body, content_type="application/json",
                       **headers)


def dose_body(recipient, lot, **extra):
    return {"recipient_id": recipient.pk, "lot_id": lot.pk, "consent_given": True, **extra}


def test_a_vaccinator_records_a_dose_with_the_products_defaults_and_the_lot_goes_down(client, tenant_a, lot,
                                                                                     recipient):
    response = post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["dose_number"], body["site"], body["route"], body["source"]) == (1, "LD", "C28161", "api")
    assert body["given_by"] == body["recorded_by"] == tenant_a.vaccinator.email
    assert (body["lot_number"], body["product"], body["status"]) == ("FK5618", "pfizer-12-gray", "completed")
    assert _on_hand(lot) == 5
    assert AuditLog.objects.filter(action="registry.immunization.recorded", object_id=str(body["id"])).exists()


def test_the_recipient_by_name_and_birth_date_and_the_lot_by_barcode_or_number(client, tenant_a, lot, recipient,
                                                                             reference_data):
    by_barcode = post_dose(client, tenant_a.vaccinator, tenant_a.location, {
        "recipient": {"first_name": "ANA", "last_name": "lopez", "date_of_birth": "1980-05-17"},
        "barcode": BARCODE, "consent_given": True})
    assert by_barcode.status_code == 201, by_barcode.json()
    assert (by_barcode.json()["recipient"], by_barcode.json()["lot"]) == (recipient.pk, lot.pk)
    other = RecipientFactory()
    by_number = post_dose(client, tenant_a.vaccinator, tenant_a.location,
                          {"recipient_id": other.pk, "lot_number": "fk5618", "consent_given": True}, key="dose-2")
    assert by_number.status_code == 201, by_number.json()
    assert by_number.json()["lot"] == lot.pk and _on_hand(lot) == 4


def test_a_coordinator_records_a_dose_a_vaccinator_gave_named_by_email_in_any_case(client, tenant_a, lot,
                                                                                     recipient):
    body = dose_body(recipient, lot, given_by=tenant_a.vaccinator.email.upper())
    response = post_dose(client, tenant_a.coordinator, tenant_a.location, body)
    assert response.status_code == 201, response.json()
    assert (response.json()["given_by"], response.json()["recorded_by"]) == (tenant_a.vaccinator.email,
                                                                              tenant_a.coordinator.email)


def test_a_retry_with_the_same_key_answers_with_the_first_record_and_takes_one_dose(client, tenant_a, lot,
                                                                                   recipient):
    first = post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot))
    again = post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert _on_hand(lot) == 5 and Immunization.objects.count() == 1


def test_a_key_reused_for_another_dose_is_422_and_saves_nothing(client, tenant_a, lot, recipient):
    post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot))
    reused = post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(RecipientFactory(), lot))
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json()
    assert _on_hand(lot) == 5 and Immunization.objects.count() == 1


def test_each_callers_keys_are_their_own(client, tenant_a, lot, recipient):
    post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot))
    response = post_dose(Client(), tenant_a.coordinator, tenant_a.location, dose_body(RecipientFactory(), lot))
    assert response.status_code == 201 and _on_hand(lot) == 4


def test_a_dose_without_an_idempotency_key_is_refused(client, tenant_a, lot, recipient):
    response = post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot), key=None)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert _on_hand(lot) == 6


@pytest.mark.django_db(transaction=True)
def test_a_retry_sent_while_the_first_is_still_saving_answers_with_the_first_record(tenant_a, lot, recipient):
    """A scanner that times out and retries at once: both requests race on one key."""
    start = threading.Barrier(4)
    answers = []

    def send():
        try:
            start.wait()
            answers.append(post_dose(Client(raise_request_exception=False), tenant_a.vaccinator, tenant_a.location,
                                     dose_body(recipient, lot), key="racing"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 4, [a.content[:200] for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert _on_hand(lot) == 5 and Immunization.objects.count() == 1


def test_a_second_dose_too_soon_answers_409_with_the_warning_and_saves_once_confirmed(client, tenant_a, lot,
                                                                                     recipient):
    ten_days_ago = (timezone.now() - datetime.timedelta(days=10)).isoformat()
    post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot, administered_at=ten_days_ago))
    warned = post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot), key="dose-2")
    assert warned.status_code == 409
    assert "Only 10 days since the previous dose" in warned.json()["confirm"][0]
    assert _on_hand(lot) == 5
    confirmed = post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot, confirm=True),
                          key="dose-2")
    assert confirmed.status_code == 201 and confirmed.json()["dose_number"] == 2
    assert _on_hand(lot) == 4


def test_a_paper_record_that_does_not_fit_its_day_is_flagged_then_kept_once_confirmed(client, tenant_a, lot,
                                                                                      recipient):
    before_receipt = (timezone.now() - datetime.timedelta(days=3)).isoformat()
    body = dose_body(recipient, lot, administered_at=before_receipt, source="paper")
    flagged = post_dose(client, tenant_a.vaccinator, tenant_a.location, body)
    assert flagged.status_code == 409 and flagged.json()["flags"] == ["lot_not_here"]
    kept = post_dose(client, tenant_a.vaccinator, tenant_a.location, dict(body, confirm=True))
    assert kept.status_code == 201 and kept.json()["source"] == "paper"
    assert "was not at this location" in kept.json()["flags"][0]


def _expired(lot):
    InventoryLot.objects.filter(pk=lot.pk).update(expiration_date=timezone.localdate() - datetime.timedelta(days=1))
    return lot


def _emptied(lot, tenant):
    post_dose(Client(), tenant.vaccinator, tenant.location,
              dose_body(RecipientFactory(), _lot(tenant.location, tenant.manager, "LAST1", doses=1)), key="last")
    return InventoryLot.objects.get(lot_number="LAST1")


@pytest.mark.parametrize(("case", "field", "words"), [
    ("future time", "administered_at", "cannot be in the future"),
    ("before birth", "administered_at", "before the recipient's date of birth"),
    ("expired lot", "lot_id", "expired on"),
    ("empty lot", "lot_id", "no doses available"),
    ("same day twice", "administered_at", "already has a dose recorded"),
    ("lot of another location", "lot_id", "choose a lot of this location"),
    ("vaccinator of another location", "given_by", "is not a vaccinator"),
    ("unknown recipient", "recipient", "register them first"),
    ("no consent", "consent_given", "consent"),
])
def test_a_refusal_names_its_field_and_saves_nothing(client, tenant_a, tenant_b, lot, recipient, case, field, words):
    body = dose_body(recipient, lot)
    if case == "future time":
        body["administered_at"] = (timezone.now() + datetime.timedelta(hours=2)).isoformat()
    elif case == "before birth":
        body["administered_at"] = "1979-01-01T10:00:00-05:00"
    elif case == "expired lot":
        body["lot_id"] = _expired(lot).pk
    elif case == "empty lot":
        body["lot_id"] = _emptied(lot, tenant_a).pk
    elif case == "same day twice":
        post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot), key="first")
        body.update(dose_number=2, confirm=True)
    elif case == "lot of another location":
        body["lot_id"] = _lot(tenant_b.location, tenant_b.manager, "OTHER1").pk
    elif case == "vaccinator of another location":
        body["given_by"] = tenant_b.vaccinator.email
    elif case == "unknown recipient":
        body = {"recipient": {"first_name": "No", "last_name": "Body", "date_of_birth": "1990-01-01"},
                "lot_id": lot.pk, "consent_given": True}
    elif case == "no consent":
        body["consent_given"] = False
    doses_before, on_hand_before = Immunization.objects.count(), _on_hand(lot)
    response = post_dose(client, tenant_a.vaccinator, tenant_a.location, body)
    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field]
    assert words.lower() in response.json()[field][0].lower()
    assert Immunization.objects.count() == doses_before and _on_hand(lot) == on_hand_before


def test_a_body_that_names_no_lot_or_two_recipients_is_refused_by_field(client, tenant_a, lot, recipient):
    no_lot = post_dose(client, tenant_a.vaccinator, tenant_a.location, {"recipient_id": recipient.pk,
                                                                       "consent_given": True})
    assert no_lot.status_code == 400 and list(no_lot.json()) == ["lot_id"]
    named = {"first_name": "Ana", "last_name": "Lopez", "date_of_birth": "1980-05-17"}
    both = post_dose(client, tenant_a.vaccinator, tenant_a.location, {**dose_body(recipient, lot), "recipient": named})
    assert both.status_code == 400 and list(both.json()) == ["recipient_id"]


def test_front_desk_may_not_record_a_dose_and_another_tenant_gets_404(client, tenant_a, tenant_b, lot, recipient):
    assert post_dose(client, tenant_a.front_desk, tenant_a.location, dose_body(recipient, lot)).status_code == 403
    assert post_dose(client, tenant_b.vaccinator, tenant_a.location, dose_body(recipient, lot)).status_code == 404
    assert _on_hand(lot) == 6


def test_a_dose_is_read_back_by_the_location_and_state_staff(client, tenant_a, lot, recipient, state_reviewer):
    dose_id = post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot)).json()["id"]
    url = reverse("api:immunization", args=[tenant_a.location.pk, dose_id])
    assert client.get(url).json()["recipient"] == recipient.pk
    client.force_login(state_reviewer)
    assert client.get(url).status_code == 200


def test_entered_in_error_gives_the_dose_back_once(client, tenant_a, lot, recipient):
    dose_id = post_dose(client, tenant_a.vaccinator, tenant_a.location, dose_body(recipient, lot)).json()["id"]
    url = reverse("api:immunization-entered-in-error", args=[tenant_a.location.pk, dose_id])
    first = client.post(url, {"reason": "Wrong recipient"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["status"] == c.ImmunizationStatus.ENTERED_IN_ERROR
    assert _on_hand(lot) == 6
    again = client.post(url, {"reason": "Again"}, content_type="application/json")
    assert again.status_code == 400 and list(again.json()) == ["status"]
    assert _on_hand(lot) == 6
    assert client.post(url, {}, content_type="application/json").json() == {"reason": ["This field is required."]}


def test_the_dose_endpoints_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert "post" in paths["/api/v1/locations/{location_id}/immunizations/"]
    assert "post" in paths["/api/v1/locations/{location_id}/immunizations/batch/"]
    assert "get" in paths["/api/v1/locations/{location_id}/immunizations/{immunization_id}/"]
    assert "post" in paths["/api/v1/locations/{location_id}/immunizations/{immunization_id}/entered-in-error/"]


def test_a_dose_reads_the_database_a_fixed_number_of_times(tenant_a, lot, django_assert_max_num_queries):
    """Token, location, the caller's roles there (read once for the access layer and the service),
    recipient, lot, history; then one statement takes the dose from the lot and writes the record,
    the audit rows and the welcome email's due mark (in a savepoint here: a test runs in a
    transaction; a server in autocommit sends the statement alone)."""
    from cvms.accounts.tokens import api_token_issue

    token = api_token_issue(user=tenant_a.vaccinator)[1]

    def dose(key, body):
        return Client().post(reverse("api:immunizations", args=[tenant_a.location.pk]), body,
                             content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}",
                             HTTP_IDEMPOTENCY_KEY=key)

    # The first call of a process also reads content types.
    assert dose("warm-up", dose_body(RecipientFactory(email=""), lot)).status_code == 201
    body = dose_body(RecipientFactory(email=""), lot)
    with django_assert_max_num_queries(9):
        assert dose("counted", body).status_code == 201
