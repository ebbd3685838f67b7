"""Walk-in registration at a location, and the audited look-ups of check-in."""

import datetime

import pytest

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.recipients import choices as c
from cvms.recipients.checkin_code import checkin_code
from cvms.recipients.models import Recipient
from cvms.recipients.services import (
    DuplicateRecipient,
    recipient_look_up_by_code,
    recipient_record_open,
    recipient_register_walk_in,
    recipients_look_up,
)
from cvms.recipients.tests.factories import RecipientFactory

BORN = datetime.date(1985, 3, 14)


def walk_in(tenant, **changes):
    fields = {"first_name": "Ana", "last_name": "Walker", "date_of_birth": BORN, "sex": c.Sex.FEMALE,
              "race": [c.Race.WHITE], "ethnicity": c.Ethnicity.HISPANIC, "industry": c.Industry.OTHER,
              "email": "", "phone": "", "city": "Raleigh", "county": "Wake", "state": "nc", "zip_code": "27601"}
    fields.update(changes)
    return recipient_register_walk_in(location=tenant.location, actor=tenant.front_desk, **fields)


def refusal_of(tenant, **changes) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        walk_in(tenant, **changes)
    assert not Recipient.objects.filter(source=c.RecipientSource.WALK_IN).exists()
    return refused.value


class TestRegistering:
    def test_a_walk_in_is_stored_as_a_walk_in_at_the_location_and_audited(self, tenant_a):
        person = walk_in(tenant_a, phone="(919) 555-0100", email="Ana.Walker@Example.com",
                         race=[c.Race.WHITE, c.Race.BLACK, c.Race.WHITE])
        assert (person.source, person.source_location, person.created_by) == (
            c.RecipientSource.WALK_IN, tenant_a.location, tenant_a.front_desk)
        assert (person.phone, person.email, person.state, person.race) == (
            "9195550100", "ana.walker@example.com", "NC", [c.Race.WHITE, c.Race.BLACK])
        entry = AuditLog.objects.get(action="registry.recipient.created", object_id=str(person.pk))
        assert entry.actor == tenant_a.front_desk and entry.changes == {"source": "walk_in"}

    def test_no_email_no_phone_and_no_employer_with_industry_other(self, tenant_a):
        person = walk_in(tenant_a, email="", phone="", employer=None, industry=c.Industry.OTHER)
        assert (person.email, person.phone, person.employer, person.industry) == ("", "", None, "other")

    @pytest.mark.parametrize("phone", ["919-555-0100", "919.555.0100", "+1 919 555 0100", "(919)5550100",
                                       "1 (919) 555-0100"])
    def test_a_phone_in_any_common_form_is_stored_as_ten_digits(self, tenant_a, phone):
        assert walk_in(tenant_a, phone=phone).phone == "9195550100"

    def test_full_width_letters_and_extra_spaces_are_stored_plainly(self, tenant_a):
        person = walk_in(tenant_a, first_name="  Ｍａｒｙ   Ａｎｎ ", last_name="O’Neil")
        assert (person.first_name, person.last_name) == ("Mary Ann", "O’Neil")

    def test_an_employer_must_be_an_employer(self, tenant_a):
        assert walk_in(tenant_a, employer=tenant_a.employer).employer == tenant_a.employer
        Recipient.objects.filter(source=c.RecipientSource.WALK_IN).delete()
        assert refusal_of(tenant_a, employer=tenant_a.organization).field == "employer"

    def test_someone_who_does_not_work_at_the_location_may_not_register_there(self, tenant_a, tenant_b):
        with pytest.raises(ServiceError):
            recipient_register_walk_in(location=tenant_a.location, actor=tenant_b.front_desk, first_name="Ana",
                                       last_name="Walker", date_of_birth=BORN, sex="F", race=["2106-3"],
                                       ethnicity="UNK", industry="other")


class TestTheSamePerson:
    @pytest.mark.parametrize(("first", "last"), [("ana", "WALKER"), ("Ａｎａ", "Ｗａｌｋｅｒ"),
                                                 ("Аna", "Walker"), ("ana", "WАLKER"), (" Ana ", "Walker ")])
    def test_is_caught_before_saving_and_offered(self, tenant_a, first, last):
        existing = RecipientFactory(first_name="Ana", last_name="Walker", date_of_birth=BORN)
        before = Recipient.objects.count()
        with pytest.raises(DuplicateRecipient) as duplicate:
            recipient_register_walk_in(
                location=tenant_a.location, actor=tenant_a.front_desk, first_name=first, last_name=last,
                date_of_birth=BORN, sex="F", race=["2106-3"], ethnicity="UNK", industry="other")
        assert duplicate.value.existing == existing
        assert Recipient.objects.count() == before

    def test_stored_with_look_alike_letters_is_still_the_same_person(self, tenant_a):
        existing = RecipientFactory(first_name="Аna", last_name="Walker", date_of_birth=BORN)  # Cyrillic А
        with pytest.raises(DuplicateRecipient) as duplicate:
            walk_in(tenant_a)
        assert duplicate.value.existing == existing

    def test_another_birthday_is_another_person(self, tenant_a):
        RecipientFactory(first_name="Ana", last_name="Walker", date_of_birth=BORN)
        assert walk_in(tenant_a, date_of_birth=datetime.date(1985, 3, 15)).pk

    def test_a_race_lost_to_another_registration_offers_the_record_it_lost_to(self, tenant_a, monkeypatch):
        existing = RecipientFactory(first_name="Ana", last_name="Walker", date_of_birth=BORN)
        import cvms.recipients.services as services

        real = services.recipient_same_person
        calls = []

        def not_yet_then_found(**kwargs):
            calls.append(kwargs)
            return None if len(calls) == 1 else real(**kwargs)

        monkeypatch.setattr(services, "recipient_same_person", not_yet_then_found)
        with pytest.raises(DuplicateRecipient) as duplicate:
            walk_in(tenant_a)
        assert duplicate.value.existing == existing


class TestBadInput:
    @pytest.mark.parametrize(("changes", "field", "words"), [
        ({"first_name": ""}, "first_name", "Enter the legal first name."),
        ({"last_name": "Walker\x00"}, "last_name", "cannot be saved"),
        ({"last_name": "W" * 101}, "last_name", "at most 100 characters"),
        ({"first_name": "Ana2"}, "first_name", "letters, spaces, hyphens"),
        ({"last_name": "Wаlker"}, "last_name", "different alphabets"),  # a Cyrillic а among Latin letters
        ({"city": "Raleigh\x00"}, "city", "cannot be saved"),
        ({"address_line1": "1" * 201}, "address_line1", "at most 200 characters"),
        ({"date_of_birth": datetime.date(2999, 1, 1)}, "date_of_birth", "between 1/1/1900 and today"),
        ({"date_of_birth": datetime.date(1899, 12, 31)}, "date_of_birth", "between 1/1/1900 and today"),
        ({"email": "ana at example.com"}, "email", "valid email"),
        ({"phone": "555-0100"}, "phone", "10 digits"),
        ({"county": "Atlantis"}, "county", "from the list"),
        ({"zip_code": "2760"}, "zip_code", "ZIP"),
        ({"state": "North Carolina"}, "state", "two letters"),
        ({"race": []}, "race", "from the list"),
        ({"race": ["2106-3", "nope"]}, "race", "from the list"),
        ({"industry": ""}, "industry", "from the list"),
        ({"sex": "X"}, "sex", "from the list"),
    ])
    def test_is_refused_naming_the_field(self, tenant_a, changes, field, words):
        refusal = refusal_of(tenant_a, **changes)
        assert refusal.field == field and words in str(refusal)


class TestLookUps:
    def test_a_search_is_audited_with_what_was_typed(self, tenant_a):
        RecipientFactory(first_name="Ana", last_name="Walker", date_of_birth=BORN)
        found, _terms = recipients_look_up(actor=tenant_a.front_desk, location=tenant_a.location,
                                           text="walker 3/14/1985\x00")
        assert [r.last_name for r in found] == ["Walker"]
        entry = AuditLog.objects.get(action="registry.recipient.searched")
        assert (entry.actor, entry.object_id) == (tenant_a.front_desk, str(tenant_a.location.pk))
        assert entry.changes == {"query": "walker 3/14/1985", "found": 1}

    def test_opening_a_record_is_audited(self, tenant_a):
        person = RecipientFactory()
        recipient_record_open(actor=tenant_a.vaccinator, location=tenant_a.location, recipient=person)
        entry = AuditLog.objects.get(action="registry.recipient.viewed")
        assert (entry.actor, entry.object_id, entry.changes) == (tenant_a.vaccinator, str(person.pk),
                                                                 {"location": tenant_a.location.pk})

    def test_a_scanned_code_is_audited_found_or_refused(self, tenant_a):
        person = RecipientFactory()
        assert recipient_look_up_by_code(actor=tenant_a.front_desk, location=tenant_a.location,
                                         code=checkin_code(person)) == person
        with pytest.raises(ServiceError):
            recipient_look_up_by_code(actor=tenant_a.front_desk, location=tenant_a.location,
                                      code=checkin_code(person) + "x")
        actions = ["registry.recipient.looked_up", "registry.recipient.code_refused"]
        logged = AuditLog.objects.filter(action__in=actions).order_by("pk")
        assert list(logged.values_list("action", flat=True)) == actions

    def test_someone_of_no_location_may_not_search(self, tenant_a, tenant_b):
        with pytest.raises(ServiceError):
            recipients_look_up(actor=tenant_b.manager, location=tenant_a.location, text="smith")
        assert not AuditLog.objects.filter(action="registry.recipient.searched").exists()
