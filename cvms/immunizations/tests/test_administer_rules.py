"""The rules of a dose given: defaults, refusals naming their field, confirmations, paper records,
and stock that moves exactly once."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import OutboxMessage
from cvms.immunizations import choices as c
from cvms.immunizations.models import CheckIn, Immunization
from cvms.immunizations.selectors import dose_suggestion
from cvms.immunizations.services.administer import (
    NeedsConfirmation,
    immunization_edit,
    immunization_mark_entered_in_error,
    immunization_record,
)
from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.choices import WelcomeEmailStatus
from cvms.recipients.tests.factories import RecipientFactory
from cvms.recipients.welcome import welcome_emails_queue_due

ALL_NO = {key: "no" for key in c.SCREENING_QUESTIONS}


def _lot(location, actor, number="FK5618", days=60, doses=6, product=None):
    return lot_receive(location=location, product=product or VaccineProductFactory(), lot_number=number,
                       expiration_date=timezone.localdate() + datetime.timedelta(days=days), doses=doses, actor=actor)


def _on_hand(lot):
    return InventoryLot.objects.get(pk=lot.pk).on_hand


@pytest.fixture
def lot(tenant_a):
    return _lot(tenant_a.location, tenant_a.manager)


def test_a_dose_takes_its_site_route_volume_and_number_from_the_product_and_history(lot, tenant_a):
    recipient = RecipientFactory()
    dose = immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, screening=ALL_NO)
    assert (dose.dose_number, dose.site, dose.route, dose.dose_volume_ml) == (1, "LD", "C28161", Decimal("0.30"))
    assert dose.administered_on == timezone.localdate() and dose.recorded_by == tenant_a.vaccinator
    assert _on_hand(lot) == 5


@pytest.mark.parametrize(("when", "field"), [
    (timezone.now() + datetime.timedelta(hours=2), "administered_at"),
    (timezone.make_aware(datetime.datetime(1985, 3, 13, 12)), "administered_at"),
])
def test_a_future_time_or_one_before_birth_is_refused_and_saves_nothing(lot, tenant_a, when, field):
    with pytest.raises(ServiceError) as refusal:
        immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator, administered_at=when)
    assert refusal.value.field == field
    assert _on_hand(lot) == 6 and not Immunization.objects.exists()


def test_a_second_dose_on_the_same_day_is_refused_and_the_stock_stays(lot, tenant_a):
    recipient = RecipientFactory()
    immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator)
    with pytest.raises(ServiceError) as refusal:
        immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, dose_number=2,
                            confirmed=True)
    assert refusal.value.field == "administered_at" and "already has a dose recorded" in str(refusal.value)
    assert _on_hand(lot) == 5 and recipient.immunizations.count() == 1


def test_front_desk_is_not_a_vaccinator_and_consent_and_screening_are_checked(lot, tenant_a):
    recipient = RecipientFactory()
    for kwargs, field in [({"given_by": tenant_a.front_desk}, "given_by"),
                          ({"consent_given": False}, "consent_given"),
                          ({"screening": {"feeling_sick": "no"}}, "screening"),
                          ({"screening": dict(ALL_NO, unknown="no")}, "screening"),
                          ({"site": "XX"}, "site"), ({"dose_volume_ml": "9"}, "dose_volume_ml"),
                          ({"dose_number": 7}, "dose_number")]:
        call = {"recipient": recipient, "lot": lot, "given_by": tenant_a.vaccinator, **kwargs}
        with pytest.raises(ServiceError) as refusal:
            immunization_record(**call)
        assert refusal.value.field == field, kwargs
    assert _on_hand(lot) == 6


def test_a_second_dose_too_soon_needs_confirmation_and_the_suggestion_follows_the_first(lot, tenant_a):
    recipient = RecipientFactory()
    first = immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator,
                                administered_at=timezone.now() - datetime.timedelta(days=10))
    suggestion = dose_suggestion(recipient=recipient, location=tenant_a.location, vaccinator=tenant_a.vaccinator)
    assert (suggestion.dose_number, suggestion.product, suggestion.lot) == (2, first.lot.product, lot)
    with pytest.raises(NeedsConfirmation) as warning:
        immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator)
    assert "Only 10 days since the previous dose" in warning.value.notes[0]
    assert _on_hand(lot) == 5
    second = immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, confirmed=True)
    assert second.dose_number == 2 and _on_hand(lot) == 4


def test_a_paper_record_from_an_expired_lot_is_flagged_and_kept_once_confirmed(tenant_a):
    lot = _lot(tenant_a.location, tenant_a.manager, number="OLD1", days=1)
    InventoryLot.objects.filter(pk=lot.pk).update(expiration_date=timezone.localdate() - datetime.timedelta(days=3))
    lot.refresh_from_db()
    then = timezone.now() - datetime.timedelta(days=1)
    recipient = RecipientFactory()
    with pytest.raises(ServiceError) as refused:  # on screen, an expired lot is refused (FAQ 25)
        immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, administered_at=then)
    assert refused.value.field == "lot"
    with pytest.raises(NeedsConfirmation) as flagged:
        immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, administered_at=then,
                            source=c.ImmunizationSource.PAPER)
    assert [code for code, _values in flagged.value.flags] == ["lot_not_here", "expired_then"]
    dose = immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, administered_at=then,
                               source=c.ImmunizationSource.PAPER, confirmed=True)
    assert "was not at this location" in dose.flag_texts[0] and _on_hand(lot) == 5


def test_entered_in_error_gives_the_dose_back_exactly_once(lot, tenant_a):
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    immunization_mark_entered_in_error(immunization=dose, actor=tenant_a.vaccinator, reason="Wrong person")
    assert _on_hand(lot) == 6
    with pytest.raises(ServiceError):
        immunization_mark_entered_in_error(immunization=dose, actor=tenant_a.vaccinator, reason="Again")
    assert _on_hand(lot) == 6
    dose.refresh_from_db()
    assert (dose.status, dose.status_reason) == (c.ImmunizationStatus.ENTERED_IN_ERROR, "Wrong person")


def test_correcting_the_lot_moves_the_dose_between_lots_once(lot, tenant_a):
    other = _lot(tenant_a.location, tenant_a.manager, number="EW0182")
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    immunization_edit(immunization=dose, actor=tenant_a.vaccinator, lot=other, site="RD")
    assert (_on_hand(lot), _on_hand(other)) == (6, 5)
    dose.refresh_from_db()
    assert dose.lot == other and dose.site == "RD" and dose.ledger_entry.lot == other
    immunization_mark_entered_in_error(immunization=dose, actor=tenant_a.manager, reason="Duplicate")
    assert (_on_hand(lot), _on_hand(other)) == (6, 6)


def test_a_user_of_another_organization_cannot_record_or_correct_here(lot, tenant_a, tenant_b):
    with pytest.raises(ServiceError):
        immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_b.vaccinator)
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    with pytest.raises(ServiceError):
        immunization_mark_entered_in_error(immunization=dose, actor=tenant_b.manager, reason="Not mine")
    assert _on_hand(lot) == 5


def test_a_dose_closes_the_check_in_and_queues_the_welcome_email(lot, tenant_a, queued_tasks):
    recipient = RecipientFactory(email="walkin@example.com")
    checkin = CheckIn.objects.create(location=tenant_a.location, recipient=recipient)
    dose = immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, checkin=checkin)
    checkin.refresh_from_db()
    recipient.refresh_from_db()
    assert checkin.status == c.CheckInStatus.VACCINATED and checkin.immunization == dose
    # Due in the dose's own statement; the beat task queues the due emails each minute, in batches.
    assert recipient.welcome_email_status == WelcomeEmailStatus.DUE and queued_tasks == []
    without_email = RecipientFactory(email="")
    immunization_record(recipient=without_email, lot=lot, given_by=tenant_a.vaccinator)
    assert welcome_emails_queue_due() == 1
    recipient.refresh_from_db()
    without_email.refresh_from_db()
    assert recipient.welcome_email_status == WelcomeEmailStatus.PENDING
    assert without_email.welcome_email_status == WelcomeEmailStatus.NOT_SENT
    assert list(OutboxMessage.objects.filter(task__endswith="welcome_emails").values_list("task", "args")) == [
        ("cvms.recipients.tasks.send_welcome_emails", [[recipient.pk]])]
    assert settings.CELERY_BEAT_SCHEDULE["queue-due-welcome-emails"]["schedule"] == 60.0


def test_a_retry_with_the_same_key_answers_with_the_first_record(lot, tenant_a):
    recipient = RecipientFactory()
    first = immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, idempotency_key="k1")
    again = immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, idempotency_key="k1")
    assert again.pk == first.pk and _on_hand(lot) == 5
