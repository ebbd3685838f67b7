"""The registration form's service: the walk-in rules, the record and the health answers saved,
``registered_at`` set the first time only, name and date of birth kept once a dose is given."""

import datetime

import pytest

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.organizations.tests.factories import OrganizationFactory
from cvms.recipients.models import HealthScreening
from cvms.recipients.registration import recipient_registration_complete
from cvms.recipients.tests.factories import RecipientFactory

HEALTH = {"severe_allergy": "no", "pregnant": "unsaid", "bleeding_disorder": "no", "immunocompromised": "yes",
          "recent_covid": "no", "recent_vaccine": "no"}


def answers(recipient, **changes):
    form = {"first_name": recipient.first_name, "last_name": recipient.last_name,
            "date_of_birth": recipient.date_of_birth, "sex": "F", "race": ["2054-5", "2106-3"],
            "ethnicity": "2186-5", "address_line1": "1 Main St", "address_line2": "", "city": "Raleigh",
            "state": "nc", "zip_code": "27601", "county": "Wake", "phone": "+1 919 555 0100", "employer": "",
            "industry": "other", "health": dict(HEALTH)}
    form.update(changes)
    return form


def _dose(tenant):
    from django.utils import timezone

    from cvms.immunizations.services.administer import immunization_record
    from cvms.inventory.services.stock import lot_receive
    from cvms.inventory.tests.factories import VaccineProductFactory

    lot = lot_receive(location=tenant.location, product=VaccineProductFactory(), lot_number="REG1",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    return immunization_record(recipient=tenant.recipient, lot=lot, given_by=tenant.vaccinator)


def test_registering_saves_the_record_health_answers_and_when(tenant_a):
    recipient, user = tenant_a.recipient, tenant_a.recipient_user
    recipient_registration_complete(recipient=recipient, actor=user, **answers(recipient))
    recipient.refresh_from_db()
    assert (recipient.phone, recipient.state, recipient.race, recipient.industry) == (
        "9195550100", "NC", ["2054-5", "2106-3"], "other")
    assert recipient.registered_at is not None
    screening = HealthScreening.objects.get(recipient=recipient)
    assert screening.immunocompromised == "yes" and screening.answered_at
    entry = AuditLog.objects.get(action="registry.recipient.registered", object_id=str(recipient.pk))
    assert entry.actor == user
    health = AuditLog.objects.get(action="registry.recipient.health_answered", object_id=str(recipient.pk))
    assert "yes" not in str(health.changes), "the audit log names the questions, never the answers"


@pytest.mark.parametrize("typed", ["(919) 555-0100", "919.555.0100", "+1 919 555 0100", "919-555-0100"])
def test_a_phone_in_any_common_format_is_stored_as_digits(tenant_a, typed):
    recipient = tenant_a.recipient
    recipient_registration_complete(recipient=recipient, actor=tenant_a.recipient_user,
                                    **answers(recipient, phone=typed))
    recipient.refresh_from_db()
    assert recipient.phone == "9195550100"


def test_updating_later_keeps_the_first_registration_time(tenant_a):
    recipient, user = tenant_a.recipient, tenant_a.recipient_user
    recipient_registration_complete(recipient=recipient, actor=user, **answers(recipient))
    recipient.refresh_from_db()
    first = recipient.registered_at
    recipient_registration_complete(recipient=recipient, actor=user, **answers(recipient, city="Durham"))
    recipient.refresh_from_db()
    assert recipient.registered_at == first and recipient.city == "Durham"
    assert HealthScreening.objects.filter(recipient=recipient).count() == 1
    assert AuditLog.objects.filter(action="registry.recipient.registration_updated").exists()


@pytest.mark.parametrize("field,value", [
    ("date_of_birth", datetime.date(1890, 1, 1)),
    ("date_of_birth", datetime.date.today() + datetime.timedelta(days=30)),
    ("zip_code", "2760"), ("state", "North Carolina"), ("sex", "X"), ("race", []), ("race", ["nope"]),
    ("industry", ""), ("phone", "555-01"), ("first_name", "R2D2"), ("first_name", "Ri\x00ta"),
    ("last_name", "Ѕmith"), ("city", "x" * 10_000), ("address_line1", ""), ("county", ""),
])
def test_bad_answers_are_refused_naming_the_field(tenant_a, field, value):
    recipient = tenant_a.recipient
    with pytest.raises(ServiceError) as refusal:
        recipient_registration_complete(recipient=recipient, actor=tenant_a.recipient_user,
                                        **answers(recipient, **{field: value}))
    assert refusal.value.field == field
    recipient.refresh_from_db()
    assert recipient.registered_at is None


@pytest.mark.parametrize("health", [{**HEALTH, "pregnant": "maybe"},
                                    {k: v for k, v in HEALTH.items() if k != "pregnant"}])
def test_each_health_question_needs_yes_no_or_prefer_not_to_say(tenant_a, health):
    recipient = tenant_a.recipient
    with pytest.raises(ServiceError) as refusal:
        recipient_registration_complete(recipient=recipient, actor=tenant_a.recipient_user,
                                        **answers(recipient, health=health))
    assert refusal.value.field == "pregnant"


def test_an_employer_must_be_one_of_the_states_employers_but_an_uploaded_one_is_kept(tenant_a, tenant_b):
    recipient = tenant_a.recipient
    for typed in (tenant_a.organization.name, "Nobody Inc"):  # a provider is no employer; nor is a stranger
        with pytest.raises(ServiceError) as refusal:
            recipient_registration_complete(recipient=recipient, actor=tenant_a.recipient_user,
                                            **answers(recipient, employer=typed))
        assert refusal.value.field == "employer"
    recipient_registration_complete(recipient=recipient, actor=tenant_a.recipient_user,
                                    **answers(recipient, employer=f"  {tenant_b.employer.name.upper()} "))
    recipient.refresh_from_db()
    assert recipient.employer == tenant_b.employer
    uploaded = RecipientFactory(employer=OrganizationFactory(name="Hospital that uploaded"))
    recipient_registration_complete(recipient=uploaded, actor=None,
                                    **answers(uploaded, employer="Hospital that uploaded"))
    uploaded.refresh_from_db()
    assert uploaded.employer.name == "Hospital that uploaded" and uploaded.registered_at


def test_name_and_birth_date_are_kept_once_a_dose_is_given(tenant_a):
    recipient = tenant_a.recipient
    _dose(tenant_a)
    with pytest.raises(ServiceError) as refusal:
        recipient_registration_complete(recipient=recipient, actor=tenant_a.recipient_user,
                                        **answers(recipient, last_name="Othername"))
    assert refusal.value.field == "last_name" and "request a correction" in str(refusal.value)
    recipient_registration_complete(recipient=recipient, actor=tenant_a.recipient_user,
                                    **answers(recipient, city="Cary"))  # the rest stays editable
    recipient.refresh_from_db()
    assert recipient.city == "Cary"


def test_a_name_and_birth_date_of_someone_else_on_file_is_refused(tenant_a):
    other = RecipientFactory(first_name="Twin", last_name="Same", date_of_birth=datetime.date(1980, 1, 1))
    recipient = tenant_a.recipient
    with pytest.raises(ServiceError) as refusal:
        recipient_registration_complete(recipient=recipient, actor=tenant_a.recipient_user, **answers(
            recipient, first_name=other.first_name, last_name=other.last_name, date_of_birth=other.date_of_birth))
    assert refusal.value.field == "date_of_birth"


def test_a_name_an_upload_stored_with_digits_does_not_stop_registration(db):
    uploaded = RecipientFactory(first_name="Tej19820", last_name="Par19820")
    recipient_registration_complete(recipient=uploaded, actor=None, **answers(uploaded))
    uploaded.refresh_from_db()
    assert uploaded.registered_at and uploaded.first_name == "Tej19820"
    with pytest.raises(ServiceError):  # a new name is checked like any other
        recipient_registration_complete(recipient=uploaded, actor=None, **answers(uploaded, first_name="Tej2"))
