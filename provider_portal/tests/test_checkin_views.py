"""The Check-in tab: search, a scanned check-in code, walk-in registration, the queue and a
recipient's record, as each role sees them."""

import datetime

import pytest
from django.urls import reverse

from cvms.core.models import AuditLog
from cvms.immunizations import choices as ic
from cvms.immunizations.models import CheckIn
from cvms.immunizations.services.administer import immunization_record
from cvms.immunizations.services.checkin import checkin_open
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients import choices as c
from cvms.recipients.checkin_code import checkin_code
from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory

BORN = datetime.date(1985, 3, 14)


def _url(name, tenant, *args):
    return reverse(f"provider_portal:{name}", args=[tenant.location.pk, *args])


@pytest.fixture
def ana(db):
    return RecipientFactory(first_name="Ana", last_name="Walker", date_of_birth=BORN, email="ana@example.com",
                            phone="9195550100", city="Raleigh", county="Wake", address_line1="1 Main St")


def _walk_in_form(**changes):
    form = {"first_name": "Bo", "last_name": "Newman", "date_of_birth": "04/01/1990", "sex": "M",
            "race": ["2054-5"], "ethnicity": "2186-5", "email": "", "phone": "919 555 0111", "address_line1": "",
            "address_line2": "", "city": "Cary", "state": "NC", "zip_code": "27511", "county": "Wake",
            "employer": "", "industry": "other", "preferred_language": "en"}
    form.update(changes)
    return form


class TestCheckInPage:
    def test_the_search_box_has_focus_and_the_tab_is_shown(self, client, tenant_a):
        client.force_login(tenant_a.front_desk)
        body = client.get(_url("checkin", tenant_a)).content.decode()
        assert 'name="q"' in body and "autofocus" in body and 'data-testid="checkin-link"' in body

    def test_a_search_finds_anyone_in_the_state_showing_name_birth_date_and_place_only(self, client, tenant_a, ana):
        client.force_login(tenant_a.front_desk)
        response = client.get(_url("checkin", tenant_a), {"q": "walker 3/14/1985"})
        body = response.content.decode()
        assert response.status_code == 200
        assert "Walker, Ana" in body and "03/14/1985" in body and "Raleigh, Wake County" in body
        assert "ana@example.com" not in body and "9195550100" not in body and "Main St" not in body
        assert AuditLog.objects.filter(action="registry.recipient.searched", actor=tenant_a.front_desk).count() == 1

    def test_a_date_that_is_not_one_is_explained(self, client, tenant_a):
        client.force_login(tenant_a.front_desk)
        body = client.get(_url("checkin", tenant_a), {"q": "walker 2/30/1985"}).content.decode()
        assert "2/30/1985 is not a date." in body

    def test_an_overlong_search_is_refused_naming_the_box(self, client, tenant_a):
        client.force_login(tenant_a.front_desk)
        response = client.get(_url("checkin", tenant_a), {"q": "x" * 201})
        assert response.status_code == 400 and "at most 200 characters" in response.content.decode()

    def test_a_scanned_code_opens_the_record(self, client, tenant_a, ana):
        client.force_login(tenant_a.front_desk)
        response = client.get(_url("checkin", tenant_a), {"q": checkin_code(ana)})
        assert response.status_code == 302 and response.url == _url("recipient", tenant_a, ana.pk)

    def test_a_tampered_code_is_explained_not_a_500(self, client, tenant_a, ana):
        client.force_login(tenant_a.front_desk)
        response = client.get(_url("checkin", tenant_a), {"q": checkin_code(ana)[:-3] + "abc"})
        assert response.status_code == 400
        assert "This check-in code is not valid here" in response.content.decode()

    def test_the_queue_shows_todays_waiting_people_with_give_vaccine_for_vaccinators(self, client, tenant_a, ana):
        waiting = checkin_open(location=tenant_a.location, recipient=ana, actor=tenant_a.front_desk)
        give = f'{_url("dose_new", tenant_a, ana.pk)}?checkin={waiting.pk}'
        client.force_login(tenant_a.vaccinator)
        assert give in client.get(_url("checkin", tenant_a)).content.decode()
        client.force_login(tenant_a.front_desk)
        body = client.get(_url("checkin", tenant_a)).content.decode()
        assert "Walker, Ana" in body and give not in body and "Left without a dose" in body

    def test_state_staff_have_no_check_in_tab(self, client, tenant_a, state_reviewer):
        client.force_login(state_reviewer)
        assert 'data-testid="checkin-link"' not in client.get(_url("location", tenant_a)).content.decode()
        assert client.get(_url("checkin", tenant_a)).status_code == 403

    def test_anonymous_people_are_sent_to_sign_in(self, client, tenant_a):
        assert client.get(_url("checkin", tenant_a)).status_code == 302

    def test_a_post_is_not_allowed(self, client, tenant_a):
        client.force_login(tenant_a.front_desk)
        assert client.post(_url("checkin", tenant_a)).status_code == 405


class TestWalkIn:
    def test_registering_checks_the_person_in(self, client, tenant_a):
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("walk_in", tenant_a), _walk_in_form())
        assert response.status_code == 302 and response.url == _url("checkin", tenant_a)
        person = Recipient.objects.get(last_name="Newman")
        assert (person.source, person.source_location, person.phone) == (c.RecipientSource.WALK_IN,
                                                                           tenant_a.location, "9195550111")
        assert CheckIn.objects.get(recipient=person).status == ic.CheckInStatus.WAITING

    def test_the_same_person_is_offered_instead_with_a_check_in_button(self, client, tenant_a, ana):
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("walk_in", tenant_a), _walk_in_form(first_name="ANA", last_name="walker",
                                                                         date_of_birth="3/14/85"))
        body = response.content.decode()
        assert response.status_code == 400 and "This person is already registered" in body
        assert _url("checkin_add", tenant_a, ana.pk) in body and _url("recipient", tenant_a, ana.pk) in body
        assert Recipient.objects.filter(last_name__iexact="walker").count() == 1 and not CheckIn.objects.exists()

    @pytest.mark.parametrize(("changes", "words"), [
        ({"last_name": "New\x00man"}, "Null characters are not allowed."),
        ({"last_name": "Nеwman"}, "different alphabets"),  # a Cyrillic е
        ({"first_name": "B" * 101}, "at most 100 characters"),
        ({"date_of_birth": "13/45/1990"}, "Enter a valid date."),
        ({"phone": "555-01"}, "Enter 10 digits"),
        ({"industry": ""}, "This field is required."),
        ({"county": "Atlantis"}, "Select a valid choice."),
    ])
    def test_bad_input_is_refused_naming_the_field_and_saves_nothing(self, client, tenant_a, changes, words):
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("walk_in", tenant_a), _walk_in_form(**changes))
        assert response.status_code == 400 and words in response.content.decode()
        assert not Recipient.objects.filter(source=c.RecipientSource.WALK_IN).exists()

    def test_the_form_says_no_aliases_and_other_when_not_employed(self, client, tenant_a):
        client.force_login(tenant_a.front_desk)
        body = client.get(_url("walk_in", tenant_a)).content.decode()
        assert "no nicknames or aliases" in body and "leave the employer blank and choose" in body


class TestRecipientRecord:
    def _dose(self, tenant, recipient):
        lot = lot_receive(location=tenant.location, product=VaccineProductFactory(), lot_number="FK5618",
                          expiration_date=datetime.date.today() + datetime.timedelta(days=60), doses=6,
                          actor=tenant.manager)
        return immunization_record(recipient=recipient, lot=lot, given_by=tenant.vaccinator)

    def test_the_front_desk_sees_identity_and_contact_but_no_history(self, client, tenant_a, ana):
        self._dose(tenant_a, ana)
        client.force_login(tenant_a.front_desk)
        body = client.get(_url("recipient", tenant_a, ana.pk)).content.decode()
        assert "ana@example.com" in body and "1 Main St" in body and "03/14/1985" in body
        assert 'data-testid="history"' not in body and "FK5618" not in body and "Give vaccine" not in body

    def test_a_vaccinator_also_sees_the_history_with_products_lots_and_locations(self, client, tenant_a, ana):
        self._dose(tenant_a, ana)
        client.force_login(tenant_a.vaccinator)
        body = client.get(_url("recipient", tenant_a, ana.pk)).content.decode()
        assert 'data-testid="history"' in body and "FK5618" in body and tenant_a.location.name in body
        assert "Give vaccine" in body

    def test_every_opening_of_a_record_is_audited(self, client, tenant_a, ana):
        client.force_login(tenant_a.front_desk)
        client.get(_url("recipient", tenant_a, ana.pk))
        client.get(_url("recipient", tenant_a, ana.pk))
        assert AuditLog.objects.filter(action="registry.recipient.viewed", object_id=str(ana.pk)).count() == 2

    def test_a_provider_may_open_the_record_of_a_recipient_of_another_organization(self, client, tenant_a,
                                                                                     tenant_b):
        client.force_login(tenant_b.front_desk)
        assert client.get(_url("recipient", tenant_b, tenant_a.recipient.pk)).status_code == 200

    def test_check_in_then_give_vaccine_from_the_record(self, client, tenant_a, ana):
        client.force_login(tenant_a.vaccinator)
        response = client.post(_url("checkin_add", tenant_a, ana.pk))
        assert response.status_code == 302 and response.url == _url("checkin", tenant_a)
        waiting = CheckIn.objects.get(recipient=ana)
        body = client.get(_url("recipient", tenant_a, ana.pk)).content.decode()
        assert f'{_url("dose_new", tenant_a, ana.pk)}?checkin={waiting.pk}' in body

    def test_checking_in_twice_says_they_are_waiting(self, client, tenant_a, ana):
        client.force_login(tenant_a.front_desk)
        client.post(_url("checkin_add", tenant_a, ana.pk))
        response = client.post(_url("checkin_add", tenant_a, ana.pk), follow=True)
        assert "Ana Walker is already checked in and waiting" in response.content.decode()
        assert CheckIn.objects.count() == 1

    def test_check_in_is_post_only(self, client, tenant_a, ana):
        client.force_login(tenant_a.front_desk)
        assert client.get(_url("checkin_add", tenant_a, ana.pk)).status_code == 405


class TestLeftWithoutADose:
    def test_closes_the_check_in_once(self, client, tenant_a, ana):
        waiting = checkin_open(location=tenant_a.location, recipient=ana, actor=tenant_a.front_desk)
        client.force_login(tenant_a.front_desk)
        assert client.post(_url("checkin_left", tenant_a, waiting.pk)).status_code == 302
        waiting.refresh_from_db()
        assert waiting.status == ic.CheckInStatus.LEFT
        response = client.post(_url("checkin_left", tenant_a, waiting.pk), follow=True)
        assert "already closed" in response.content.decode()

    def test_another_locations_check_in_is_not_found(self, client, tenant_a, tenant_b, ana):
        waiting = checkin_open(location=tenant_a.location, recipient=ana, actor=tenant_a.front_desk)
        client.force_login(tenant_b.front_desk)
        assert client.post(_url("checkin_left", tenant_b, waiting.pk)).status_code == 404
        assert CheckIn.objects.get().status == ic.CheckInStatus.WAITING
