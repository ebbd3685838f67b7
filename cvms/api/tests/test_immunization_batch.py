"""A clinic system's batch of doses: each dose checked and saved on its own, in order, and answered
as it would be alone; the doses saved stay saved, a batch sent again takes no second dose."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cvms.accounts.tokens import api_token_issue
from cvms.api.tests.test_immunization_api import _lot, _on_hand, dose_body
from cvms.immunizations.models import Immunization
from cvms.immunizations.services.administer import BATCH_MAX
from cvms.recipients.tests.factories import RecipientFactory


@pytest.fixture
def lot(tenant_a):
    return _lot(tenant_a.location, tenant_a.manager, doses=20)


def post_batch(client, user, location, doses):
    client.force_login(user)
    return client.post(reverse("api:immunization-batch", args=[location.pk]), {"doses": doses},
                       content_type="application/json")


def test_each_dose_is_answered_on_its_own_and_only_the_good_ones_are_saved(client, tenant_a, tenant_b, lot):
    young = RecipientFactory(date_of_birth=datetime.date.today() - datetime.timedelta(days=365 * 5))
    elsewhere = _lot(tenant_b.location, tenant_b.manager, number="EL0001")
    doses = [
        dict(dose_body(RecipientFactory(), lot), idempotency_key="b-1"),
        dict(dose_body(RecipientFactory(), lot), idempotency_key="b-2", consent_given="maybe"),
        dict(dose_body(RecipientFactory(), elsewhere), idempotency_key="b-3"),
        {"recipient_id": 2**40, "lot_id": lot.pk, "consent_given": True, "idempotency_key": "b-4"},
        dict(dose_body(young, lot), idempotency_key="b-5"),
        dict(dose_body(RecipientFactory(), lot), idempotency_key="b 6"),
        dict(dose_body(RecipientFactory(), lot), idempotency_key="b-7"),
    ]
    response = post_batch(client, tenant_a.vaccinator, tenant_a.location, doses)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["recorded"], body["not_recorded"]) == (2, 5)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["status"] for r in results] == [201, 400, 400, 400, 409, 400, 201]
    assert set(results[1]["errors"]) == {"consent_given"}
    assert "No lot at" in results[2]["errors"]["lot_id"][0]
    assert "No recipient has the id" in results[3]["errors"]["recipient_id"][0]
    assert "not for a recipient of this age" in results[4]["confirm"][0]
    assert set(results[5]["errors"]) == {"idempotency_key"}
    saved = [results[0]["immunization"]["id"], results[6]["immunization"]["id"]]
    assert sorted(Immunization.objects.values_list("id", flat=True)) == sorted(saved)
    assert _on_hand(lot) == 18 and _on_hand(elsewhere) == 6


def test_a_batch_sent_again_answers_with_the_first_records_and_takes_no_second_dose(client, tenant_a, lot):
    doses = [dict(dose_body(RecipientFactory(), lot), idempotency_key=f"again-{n}") for n in range(3)]
    first = post_batch(client, tenant_a.vaccinator, tenant_a.location, doses).json()
    again = post_batch(client, tenant_a.vaccinator, tenant_a.location, doses).json()
    assert again["recorded"] == 3
    assert [r["immunization"]["id"] for r in again["results"]] == [r["immunization"]["id"] for r in first["results"]]
    assert _on_hand(lot) == 17 and Immunization.objects.count() == 3
    reused = [dict(dose_body(RecipientFactory(), lot), idempotency_key="again-0")]
    refused = post_batch(client, tenant_a.vaccinator, tenant_a.location, reused).json()["results"][0]
    assert refused["status"] == 422 and "another dose" in refused["errors"]["idempotency_key"][0]


def test_a_second_dose_for_the_same_recipient_in_a_batch_is_checked_against_the_first(client, tenant_a, lot):
    person = RecipientFactory()
    doses = [dict(dose_body(person, lot), idempotency_key="same-1"),
             dict(dose_body(person, lot), idempotency_key="same-2"),
             dict(dose_body(person, lot), idempotency_key="same-3", confirm=True)]
    results = post_batch(client, tenant_a.vaccinator, tenant_a.location, doses).json()["results"]
    assert [r["status"] for r in results] == [201, 409, 400]
    assert results[1]["confirm"][0].startswith("Only 0 days since the previous dose")
    assert "already has a dose recorded" in results[2]["errors"]["administered_at"][0]
    assert _on_hand(lot) == 19


@pytest.mark.parametrize("doses", [[], "not a list", ["not a dose"], [{}] * (BATCH_MAX + 1)])
def test_a_batch_that_is_not_a_list_of_up_to_the_limit_is_refused_whole(client, tenant_a, lot, doses):
    response = post_batch(client, tenant_a.vaccinator, tenant_a.location, doses)
    assert response.status_code == 400 and "doses" in response.json()
    assert _on_hand(lot) == 20


def test_only_the_locations_vaccinators_may_send_a_batch(client, tenant_a, tenant_b, lot):
    doses = [dict(dose_body(RecipientFactory(), lot), idempotency_key="x-1")]
    assert post_batch(client, tenant_b.vaccinator, tenant_a.location, doses).status_code == 404
    assert post_batch(client, tenant_a.front_desk, tenant_a.location, doses).status_code == 403
    assert _on_hand(lot) == 20


def test_a_batch_reads_the_database_once_per_kind_of_thing_and_writes_each_dose_in_one_statement(
        tenant_a, lot, django_assert_max_num_queries):
    """Token, location, roles, the recipients, the lots, the histories; then per dose a savepoint
    here (a test runs in a transaction), the statement, its release."""
    token = api_token_issue(user=tenant_a.vaccinator)[1]

    def send(doses):
        return Client().post(reverse("api:immunization-batch", args=[tenant_a.location.pk]), {"doses": doses},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")

    assert send([dict(dose_body(RecipientFactory(email=""), lot), idempotency_key="warm")]).status_code == 200
    doses = [dict(dose_body(RecipientFactory(email=""), lot), idempotency_key=f"n-{n}") for n in range(10)]
    with django_assert_max_num_queries(6 + 3 * 10):
        assert send(doses).json()["recorded"] == 10
