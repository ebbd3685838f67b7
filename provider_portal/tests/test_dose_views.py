"""The vaccine administration screen, its back-entry mode for paper forms, the scan of a vial and the
dose page (correct, mark entered in error), as each role sees them, with bad input on every field."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.immunizations import choices as c
from cvms.immunizations.models import CheckIn, Immunization
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import lot_receive, lot_waste
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory

TODAY = timezone.localdate()
ALL_NO = {f"screening_{key}": "no" for key in c.SCREENING_QUESTIONS}
#: Pfizer 12+ Gray Cap carton, NDC 59267-1025-4.
PFIZER_GRAY_CARTON = "00359267102546"


def _lot(tenant, number="FK5618", doses=6, days=60, product=None, location=None):
    return lot_receive(location=location or tenant.location, product=product or VaccineProductFactory(),
                       lot_number=number, expiration_date=TODAY + datetime.timedelta(days=days), doses=doses,
                       actor=None if location else tenant.manager)


def _moderna():
    return VaccineProductFactory(key="moderna-12", display_name="Moderna COVID-19 Vaccine 12+", cvx="207", mvx="MOD",
                                 doses_per_vial=10, dose_volume_ml="0.50", default_site="RD", min_interval_days=28)


def _on_hand(lot):
    return InventoryLot.objects.get(pk=lot.pk).on_hand


def _new_url(tenant, recipient, **query):
    url = reverse("provider_portal:dose_new", args=[tenant.location.pk, recipient.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _dose_url(name, dose):
    return reverse(f"provider_portal:{name}", args=[dose.location_id, dose.pk])


def _post(given_from, tenant, **changes):
    """What the screen posts for a dose given now from lot ``given_from`` by tenant's vaccinator, all
    answers No."""
    now = timezone.localtime()
    data = {"idempotency_key": "a" * 32, "product": given_from.product_id, "lot": given_from.pk, "dose_number": 1,
            "site": "", "route": "", "dose_volume_ml": "", "given_by": tenant.vaccinator.pk,
            "given_on": f"{now:%m/%d/%Y}", "given_time": f"{now:%H:%M}", "consent_given": "on", **ALL_NO}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _errors(response):
    return {name: [str(e) for e in errors] for name, errors in response.context["form"].errors.items()}


@pytest.fixture
def lot(tenant_a):
    return _lot(tenant_a)


# --- The screen as it opens


def test_the_screen_shows_the_recipient_their_doses_and_starts_in_the_scan_field(client, tenant_a, lot):
    recipient = RecipientFactory(first_name="Ana", last_name="Lopez")
    client.force_login(tenant_a.vaccinator)
    response = client.get(_new_url(tenant_a, recipient))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ana Lopez" in body and "03/14/1985" in body and "No doses recorded yet." in body
    form = response.context["form"]
    assert (form["product"].initial, form["lot"].initial, form["dose_number"].initial) == (lot.product, lot, 1)
    assert (form["site"].initial, form["route"].initial, str(form["dose_volume_ml"].initial)) == ("LD", "C28161",
                                                                                                 "0.30")
    assert form["given_by"].initial == tenant_a.vaccinator and form["given_on"].initial == TODAY
    assert "autofocus" in response.context["scan"].fields["barcode"].widget.attrs


def test_the_screen_shows_the_health_answers_the_recipient_gave_when_registering(client, tenant_a, lot):
    from cvms.recipients.choices import HEALTH_QUESTIONS
    from cvms.recipients.models import HealthScreening

    recipient = RecipientFactory(first_name="Ana", last_name="Lopez")
    client.force_login(tenant_a.vaccinator)
    assert "reported-health" not in client.get(_new_url(tenant_a, recipient)).content.decode()

    answers = dict.fromkeys(HEALTH_QUESTIONS, "no") | {"bleeding_disorder": "yes", "pregnant": "unsaid"}
    HealthScreening.objects.create(recipient=recipient, answered_at=timezone.now(), **answers)
    body = client.get(_new_url(tenant_a, recipient)).content.decode()
    assert "What the recipient told us when registering" in body
    assert body.count('data-testid="reported-yes"') == 1
    assert "Do you have a bleeding disorder, or do you take a blood thinner? <strong>Yes</strong>" in body
    assert "Are you pregnant or breastfeeding? <strong>Prefer not to say</strong>" in body


def test_only_unexpired_lots_with_doses_available_here_are_offered_grouped_by_product(client, tenant_a, lot):
    moderna = _lot(tenant_a, "MOD1", product=_moderna())
    expired = _lot(tenant_a, "OLD1")
    InventoryLot.objects.filter(pk=expired.pk).update(expiration_date=TODAY - datetime.timedelta(days=1))
    empty = _lot(tenant_a, "EMPTY1", doses=1)
    lot_waste(lot=empty, quantity=1, unit="doses", reason="other", note="dropped", actor=tenant_a.manager)
    _lot(tenant_a, "ELSEWHERE1", location=tenant_a.other_location)
    client.force_login(tenant_a.vaccinator)
    form = client.get(_new_url(tenant_a, RecipientFactory())).context["form"]
    assert [lot.lot_number for lot in form.lots] == ["FK5618", "MOD1"]
    groups = [label for label, _options in form.fields["lot"].choices[1:]]
    assert groups == [lot.product.display_name, moderna.product.display_name]
    assert set(form.fields["product"].queryset) == {lot.product, moderna.product}


def test_a_second_dose_suggests_the_first_doses_product_and_dose_number_2(client, tenant_a, lot):
    recipient = RecipientFactory()
    moderna = _lot(tenant_a, "MOD1", product=_moderna())
    immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.coordinator,
                        administered_at=timezone.now() - datetime.timedelta(days=30))
    immunization_record(recipient=RecipientFactory(), lot=moderna, given_by=tenant_a.vaccinator)  # their last lot
    client.force_login(tenant_a.vaccinator)
    form = client.get(_new_url(tenant_a, recipient)).context["form"]
    assert (form["product"].initial, form["lot"].initial, form["dose_number"].initial) == (lot.product, lot, 2)


def test_the_vaccinators_last_lot_is_the_default_for_a_first_dose(client, tenant_a, lot):
    moderna = _lot(tenant_a, "MOD1", product=_moderna())
    immunization_record(recipient=RecipientFactory(), lot=moderna, given_by=tenant_a.vaccinator)
    client.force_login(tenant_a.vaccinator)
    form = client.get(_new_url(tenant_a, RecipientFactory())).context["form"]
    assert (form["lot"].initial, form["site"].initial, str(form["dose_volume_ml"].initial)) == (moderna, "RD", "0.50")


def test_with_no_lot_to_give_the_screen_says_so_and_links_to_the_inventory(client, tenant_a):
    client.force_login(tenant_a.vaccinator)
    response = client.get(_new_url(tenant_a, RecipientFactory()))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="no-lots"' in body and 'data-testid="dose-form"' not in body


# --- Saving


def test_a_dose_is_saved_and_the_dose_page_names_the_lot_and_the_doses_left(client, tenant_a, lot):
    recipient = RecipientFactory()
    client.force_login(tenant_a.vaccinator)
    response = client.post(_new_url(tenant_a, recipient), _post(lot, tenant_a))
    dose = Immunization.objects.get(recipient=recipient)
    assert response.status_code == 302 and response.url == _dose_url("dose", dose)
    assert _messages(response) == ["Dose 1 recorded from lot FK5618: 5 doses left in the lot."]
    assert (dose.site, dose.route, str(dose.dose_volume_ml), dose.source) == ("LD", "C28161", "0.30", "screen")
    assert dose.screening == {key: "no" for key in c.SCREENING_QUESTIONS} and dose.consent_given
    assert _on_hand(lot) == 5
    assert AuditLog.objects.filter(action="registry.immunization.recorded", actor=tenant_a.vaccinator).count() == 1


def test_the_same_form_sent_twice_records_one_dose(client, tenant_a, lot):
    recipient = RecipientFactory()
    client.force_login(tenant_a.vaccinator)
    first = client.post(_new_url(tenant_a, recipient), _post(lot, tenant_a))
    again = client.post(_new_url(tenant_a, recipient), _post(lot, tenant_a))
    assert again.status_code == 302 and again.url == first.url
    assert recipient.immunizations.count() == 1 and _on_hand(lot) == 5


def test_all_answers_no_answers_the_questions_left_open(client, tenant_a, lot):
    recipient = RecipientFactory()
    client.force_login(tenant_a.vaccinator)
    data = _post(lot, tenant_a, screening_all_no="on", **dict.fromkeys(ALL_NO))
    assert client.post(_new_url(tenant_a, recipient), data).status_code == 302
    assert set(recipient.immunizations.get().screening.values()) == {"no"}


def test_from_a_check_in_the_dose_closes_it_and_goes_back_to_the_queue(client, tenant_a, lot):
    recipient = RecipientFactory()
    checkin = CheckIn.objects.create(location=tenant_a.location, recipient=recipient)
    client.force_login(tenant_a.vaccinator)
    response = client.post(_new_url(tenant_a, recipient, checkin=checkin.pk), _post(lot, tenant_a))
    assert response.status_code == 302
    assert response.url == reverse("provider_portal:checkin", args=[tenant_a.location.pk])
    checkin.refresh_from_db()
    assert checkin.status == c.CheckInStatus.VACCINATED and checkin.immunization.recipient == recipient


def test_a_dose_from_a_check_in_sent_twice_is_recorded_once_and_both_go_back_to_the_queue(client, tenant_a, lot):
    recipient = RecipientFactory()
    checkin = CheckIn.objects.create(location=tenant_a.location, recipient=recipient)
    client.force_login(tenant_a.vaccinator)
    url = _new_url(tenant_a, recipient, checkin=checkin.pk)
    first, again = client.post(url, _post(lot, tenant_a)), client.post(url, _post(lot, tenant_a))
    assert first.status_code == again.status_code == 302 and again.url == first.url
    assert recipient.immunizations.count() == 1 and _on_hand(lot) == 5


def test_a_warning_reshows_the_form_and_save_anyway_saves_exactly_what_was_shown(client, tenant_a, lot):
    recipient = RecipientFactory()
    immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator,
                        administered_at=timezone.now() - datetime.timedelta(days=10))
    client.force_login(tenant_a.vaccinator)
    data = _post(lot, tenant_a, dose_number=2)
    warned = client.post(_new_url(tenant_a, recipient), data)
    assert warned.status_code == 400 and recipient.immunizations.count() == 1
    form = warned.context["form"]
    assert "Only 10 days since the previous dose" in form.warnings[0]
    assert "autofocus" in form.fields["confirm"].widget.attrs
    assert 'data-testid="dose-warnings"' in warned.content.decode()
    # "Save anyway" ticked for other warnings (a stale page) saves nothing.
    stale = client.post(_new_url(tenant_a, recipient), dict(data, confirm="on", warnings_seen="0" * 32))
    assert stale.status_code == 400 and recipient.immunizations.count() == 1
    saved = client.post(_new_url(tenant_a, recipient), dict(data, confirm="on",
                                                            warnings_seen=form.data["warnings_seen"]))
    assert saved.status_code == 302 and recipient.immunizations.count() == 2 and _on_hand(lot) == 4


# --- Bad input, field by field: refused beside the field, nothing saved, never a 500


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"given_on": f"{TODAY + datetime.timedelta(days=1):%m/%d/%Y}"}, "given_on", "cannot be in the future"),
    ({"given_on": "03/13/1985"}, "given_on", "before the recipient's date of birth"),
    ({"given_on": "13/45/2026"}, "given_on", "Enter a valid date"),
    ({"given_on": "01/01/0001"}, "given_on", "before the recipient's date of birth"),
    ({"given_on": "12/31/9999", "given_time": "23:59"}, "given_on", "cannot be in the future"),
    ({"given_time": "25:99"}, "given_time", "Enter a valid time"),
    ({"screening_pregnant": "maybe"}, "screening_pregnant", "valid choice"),
    ({"dose_number": "7"}, "dose_number", "less than or equal to 6"),
    ({"dose_number": "one"}, "dose_number", "whole number"),
    ({"dose_volume_ml": "5"}, "dose_volume_ml", "less than or equal to 2"),
    ({"site": "XX"}, "site", "valid choice"),
    ({"consent_given": None}, "consent_given", "consent"),
    ({"screening_bleeding": None}, "screening_bleeding", "bleeding disorder"),
    ({"screening_all_no": "on", "screening_pregnant": "yes"}, "screening_all_no", "answered Yes"),
    ({"given_by": "999999999"}, "given_by", "valid choice"),
    ({"lot": "99999999999999999999"}, "lot", "has doses available and has not expired"),
    ({"notes": "x" * 2001}, "notes", "at most 2000"),
])
def test_bad_input_is_refused_naming_the_field_and_saves_nothing(client, tenant_a, lot, changes, field, words):
    recipient = RecipientFactory()
    client.force_login(tenant_a.vaccinator)
    response = client.post(_new_url(tenant_a, recipient), _post(lot, tenant_a, **changes))
    assert response.status_code == 400
    errors = _errors(response)
    assert words in " ".join(errors.get(field, [])), errors
    assert "autofocus" in response.context["form"].fields[field].widget.attrs
    assert not Immunization.objects.exists() and _on_hand(lot) == 6


def test_a_lot_of_another_location_an_expired_lot_or_an_empty_lot_is_refused_on_the_lot_field(client, tenant_a, lot):
    elsewhere = _lot(tenant_a, "ELSEWHERE1", location=tenant_a.other_location)
    expired = _lot(tenant_a, "OLD1")
    InventoryLot.objects.filter(pk=expired.pk).update(expiration_date=TODAY - datetime.timedelta(days=1))
    client.force_login(tenant_a.vaccinator)
    for crafted in (elsewhere, expired):
        response = client.post(_new_url(tenant_a, RecipientFactory()), _post(crafted, tenant_a))
        assert response.status_code == 400 and "lot" in _errors(response)
    # Shown with doses, emptied before saving.
    lot_waste(lot=lot, quantity=6, unit="doses", reason="other", note="dropped", actor=tenant_a.manager)
    response = client.post(_new_url(tenant_a, RecipientFactory()), _post(lot, tenant_a))
    assert response.status_code == 400 and "lot" in _errors(response)
    assert not Immunization.objects.exists() and (_on_hand(elsewhere), _on_hand(expired)) == (6, 6)


def test_a_lot_of_another_product_than_the_one_chosen_is_refused_on_the_lot_field(client, tenant_a, lot):
    moderna = _lot(tenant_a, "MOD1", product=_moderna())
    client.force_login(tenant_a.vaccinator)
    response = client.post(_new_url(tenant_a, RecipientFactory()), _post(lot, tenant_a, product=moderna.product_id))
    assert response.status_code == 400 and "choose a lot of the product" in _errors(response)["lot"][0]


def test_a_second_dose_the_same_day_is_refused_naming_the_date_and_the_stock_stays(client, tenant_a, lot):
    recipient = RecipientFactory()
    immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator)
    client.force_login(tenant_a.vaccinator)
    response = client.post(_new_url(tenant_a, recipient), _post(lot, tenant_a, dose_number=2))
    assert response.status_code == 400 and "already has a dose recorded" in _errors(response)["given_on"][0]
    assert recipient.immunizations.count() == 1 and _on_hand(lot) == 5


@pytest.mark.parametrize("checkin", ["abc", "99999999999999999999", "²", "other-recipient", "other-location"])
def test_a_tampered_check_in_is_refused_and_saves_nothing(client, tenant_a, lot, checkin):
    recipient = RecipientFactory()
    if checkin == "other-recipient":
        checkin = CheckIn.objects.create(location=tenant_a.location, recipient=RecipientFactory()).pk
    elif checkin == "other-location":
        checkin = CheckIn.objects.create(location=tenant_a.other_location, recipient=recipient).pk
    client.force_login(tenant_a.vaccinator)
    shown = client.get(_new_url(tenant_a, recipient, checkin=checkin))
    assert shown.status_code == 200 and 'data-testid="checkin-refused"' in shown.content.decode()
    response = client.post(_new_url(tenant_a, recipient, checkin=checkin), _post(lot, tenant_a))
    assert response.status_code == 400
    assert any(e.startswith("Check-in:") for e in response.context["form"].non_field_errors())
    assert not Immunization.objects.exists() and _on_hand(lot) == 6
    assert set(CheckIn.objects.values_list("status", flat=True)) <= {c.CheckInStatus.WAITING}


# --- Scanning a vial


@pytest.fixture
def pfizer_lot(tenant_a, reference_data):
    from cvms.inventory.models import VaccineProduct

    return _lot(tenant_a, "FN7934", product=VaccineProduct.objects.get(key="pfizer-12-gray"))


def _scan(lot_number="FN7934"):
    return f"]d201{PFIZER_GRAY_CARTON}17{TODAY + datetime.timedelta(days=60):%y%m%d}10{lot_number}"


def test_scanning_a_vial_picks_its_lot_and_moves_on_to_the_screening(client, tenant_a, pfizer_lot):
    _lot(tenant_a, "MOD1", product=_moderna())
    client.force_login(tenant_a.vaccinator)
    response = client.get(_new_url(tenant_a, RecipientFactory()), {"barcode": _scan()})
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["lot"].initial, form["product"].initial) == (pfizer_lot, pfizer_lot.product)
    assert "Barcode read: lot FN7934" in response.content.decode()
    assert "autofocus" in form.fields["screening_all_no"].widget.attrs


def test_the_scan_endpoint_answers_the_lot_or_says_why_not(client, tenant_a, pfizer_lot):
    expired = _lot(tenant_a, "FN0001", product=pfizer_lot.product)
    InventoryLot.objects.filter(pk=expired.pk).update(expiration_date=TODAY - datetime.timedelta(days=1))
    client.force_login(tenant_a.vaccinator)
    url = reverse("provider_portal:dose_scan", args=[tenant_a.location.pk])
    answer = client.get(url, {"barcode": _scan()}).json()
    assert (answer["lot"], answer["product"]) == (pfizer_lot.pk, pfizer_lot.product_id)
    for lot_number, words in [("FN0001", "expired on"), ("ZZ9999", "is not in this location's inventory")]:
        response = client.get(url, {"barcode": _scan(lot_number)})
        assert response.status_code == 400 and words in response.json()["error"]
    assert "not GS1 data" in client.get(url, {"barcode": "hello"}).json()["error"]
    too_long = client.get(url, {"barcode": "]d201" + "9" * 5000})
    assert too_long.status_code == 400 and "at most 200 characters" in too_long.json()["error"]


def test_a_missing_form_key_is_named_above_the_form(client, tenant_a, lot):
    client.force_login(tenant_a.vaccinator)
    response = client.post(_new_url(tenant_a, RecipientFactory()), _post(lot, tenant_a, idempotency_key=None))
    assert response.status_code == 400 and not Immunization.objects.exists()
    assert "Idempotency key: This field is required." in response.content.decode()


def test_a_barcode_that_cannot_be_read_is_shown_beside_the_scan_field(client, tenant_a, pfizer_lot):
    client.force_login(tenant_a.vaccinator)
    response = client.get(_new_url(tenant_a, RecipientFactory()), {"barcode": _scan("ZZ9999")})
    assert response.status_code == 400
    assert "is not in this location's inventory" in response.context["scan"].errors["barcode"][0]


# --- Who may


def test_front_desk_and_state_staff_may_not_record_doses(client, tenant_a, lot, state_reviewer):
    recipient = RecipientFactory()
    for user in (tenant_a.front_desk, state_reviewer):
        client.force_login(user)
        assert client.get(_new_url(tenant_a, recipient)).status_code in (403, 404)
        assert client.post(_new_url(tenant_a, recipient), _post(lot, tenant_a)).status_code in (403, 404)
    assert not Immunization.objects.exists()


def test_a_vaccinator_of_another_organization_may_not_record_here(client, tenant_a, tenant_b, lot):
    client.force_login(tenant_b.vaccinator)
    response = client.post(_new_url(tenant_a, RecipientFactory()), _post(lot, tenant_b))
    assert response.status_code == 404 and not Immunization.objects.exists()


def test_the_dose_pages_send_anonymous_people_to_sign_in_and_refuse_wrong_methods(client, tenant_a, lot):
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    urls = [_new_url(tenant_a, dose.recipient), _dose_url("dose", dose), _dose_url("dose_correct", dose),
            _dose_url("dose_entered_in_error", dose),
            reverse("provider_portal:paper_next", args=[tenant_a.location.pk])]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(tenant_a.vaccinator)
    for url in urls:
        assert client.put(url).status_code == 405
    assert client.post(_dose_url("dose", dose)).status_code == 405


# --- The dose page


def test_the_dose_page_offers_correct_and_entered_in_error_to_vaccinators_and_lets_state_staff_read(
        client, tenant_a, lot, state_reviewer):
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    client.force_login(tenant_a.vaccinator)
    body = client.get(_dose_url("dose", dose)).content.decode()
    assert "FK5618" in body and 'data-testid="correct-link"' in body and 'data-testid="entered-in-error-link"' in body
    client.force_login(state_reviewer)
    response = client.get(_dose_url("dose", dose))
    assert response.status_code == 200 and 'data-testid="correct-link"' not in response.content.decode()
    assert client.get(_dose_url("dose_correct", dose)).status_code in (403, 404)
    client.force_login(tenant_a.front_desk)
    assert client.get(_dose_url("dose", dose)).status_code in (403, 404)


def test_correcting_the_lot_moves_the_dose_once(client, tenant_a, lot):
    other = _lot(tenant_a, "EW0182")
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    client.force_login(tenant_a.coordinator)
    form = client.get(_dose_url("dose_correct", dose)).context["form"]
    assert form["lot"].initial == lot and "autofocus" in form.fields["lot"].widget.attrs
    given = timezone.localtime(dose.administered_at)
    data = {"idempotency_key": "b" * 32, "product": lot.product_id, "lot": other.pk, "dose_number": 1, "site": "RD",
            "route": "C28161", "dose_volume_ml": "0.30", "given_by": tenant_a.vaccinator.pk,
            "given_on": f"{given:%m/%d/%Y}", "given_time": f"{given:%H:%M}", "notes": ""}
    response = client.post(_dose_url("dose_correct", dose), data)
    assert response.status_code == 302 and response.url == _dose_url("dose", dose)
    assert "now comes from lot EW0182, and lot FK5618 got its dose back" in _messages(response)[0]
    again = client.post(_dose_url("dose_correct", dose), data)  # sent twice: nothing more moves
    assert again.status_code == 302 and _messages(again)[-1] == "Nothing was changed."
    dose.refresh_from_db()
    assert (dose.lot, dose.site, dose.administered_at) == (other, "RD", given)  # the time kept its seconds
    assert (_on_hand(lot), _on_hand(other)) == (6, 5)


def test_entered_in_error_returns_the_dose_and_a_second_attempt_is_refused_politely(client, tenant_a, lot):
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    client.force_login(tenant_a.vaccinator)
    url = _dose_url("dose_entered_in_error", dose)
    assert client.post(url, {"reason": "  "}).status_code == 400 and _on_hand(lot) == 5
    response = client.post(url, {"reason": "Recorded for the wrong person"})
    assert response.status_code == 302 and _messages(response) == ["Marked entered in error. Its dose went back to "
                                                                    "lot FK5618."]
    assert _on_hand(lot) == 6
    again = client.post(url, {"reason": "Again"})
    assert again.status_code == 302 and "already marked entered in error" in _messages(again)[-1]
    assert _on_hand(lot) == 6
    page = client.get(_dose_url("dose", dose)).content.decode()
    assert "Recorded for the wrong person" in page and 'data-testid="correct-link"' not in page


# --- Back-entry from a paper form


def test_back_entry_asks_for_the_real_date_and_time_and_keeps_the_flags_it_confirmed(client, tenant_a, lot):
    recipient = RecipientFactory()
    client.force_login(tenant_a.vaccinator)
    opened = client.get(_new_url(tenant_a, recipient, paper=1))
    assert 'data-testid="paper-mode"' in opened.content.decode()
    assert opened.context["form"]["given_on"].initial is None and opened.context["form"]["given_time"].initial is None
    assert "autofocus" in opened.context["form"].fields["given_on"].widget.attrs  # typed from the form
    two_days_ago = TODAY - datetime.timedelta(days=2)  # before the lot arrived here
    data = _post(lot, tenant_a, given_on=f"{two_days_ago:%m/%d/%Y}", given_time="10:15",
                 **dict(dict.fromkeys(ALL_NO), screening_feeling_sick="no"))
    flagged = client.post(_new_url(tenant_a, recipient, paper=1), data)
    assert flagged.status_code == 400
    assert "was not at this location on" in flagged.context["form"].warnings[0]
    data.update(confirm="on", warnings_seen=flagged.context["form"].data["warnings_seen"])
    saved = client.post(_new_url(tenant_a, recipient, paper=1), data)
    dose = recipient.immunizations.get()
    assert saved.status_code == 302 and saved.url == _dose_url("dose", dose)
    assert dose.source == c.ImmunizationSource.PAPER and [code for code, _v in dose.flags] == ["lot_not_here"]
    assert dose.screening == {"feeling_sick": "no"} and dose.administered_on == two_days_ago
    page = client.get(_dose_url("dose", dose)).content.decode()
    assert 'data-testid="dose-flags"' in page and "was not at this location" in page
    assert f"on={two_days_ago.isoformat()}&amp;lot={lot.pk}" in page


def test_the_next_paper_form_finds_its_recipient_and_keeps_the_date_and_lot(client, tenant_a, lot):
    recipient = RecipientFactory(first_name="Rosa", last_name="Diaz", date_of_birth=datetime.date(1950, 2, 1))
    client.force_login(tenant_a.vaccinator)
    url = reverse("provider_portal:paper_next", args=[tenant_a.location.pk]) + f"?on=2026-01-05&lot={lot.pk}"
    missing = client.post(url, {"first_name": "Rosa", "last_name": "Dias", "date_of_birth": "02/01/1950"})
    assert missing.status_code == 400 and "No recipient has this legal name" in missing.content.decode()
    found = client.post(url, {"first_name": " rosa", "last_name": "DIAZ", "date_of_birth": "02/01/1950"})
    assert found.status_code == 302 and found.url == _new_url(tenant_a, recipient, paper=1, on="2026-01-05", lot=lot.pk)
    form = client.get(found.url).context["form"]
    assert (form["given_on"].initial, form["lot"].initial, form["given_time"].initial) == (
        datetime.date(2026, 1, 5), lot, None)
    assert "autofocus" in form.fields["given_time"].widget.attrs
