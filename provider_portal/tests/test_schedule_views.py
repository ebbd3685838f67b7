"""The Schedules tab: Location Managers turn online booking on, add schedules and block a day or
change its seats; the location's other people read it; every refusal is shown on its field."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.appointments.models import Schedule, SelfScheduling, Slot
from cvms.appointments.services import appointment_book, schedule_create
from cvms.core.models import AuditLog
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def _url(name, tenant):
    return reverse(f"provider_portal:{name}", args=[tenant.location.pk])


def _form(product, **changes):
    form = {"product": product.pk, "dose_number": "1", "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
            "opens_at": "09:00", "closes_at": "10:00", "slot_minutes": "30", "capacity": "2",
            "first_day": TOMORROW.strftime("%m/%d/%Y"), "last_day": TOMORROW.strftime("%m/%d/%Y"), "closed_days": ""}
    form.update(changes)
    return form


@pytest.fixture
def product(db):
    return VaccineProductFactory()


@pytest.fixture
def schedule(tenant_a, product):
    return schedule_create(actor=tenant_a.manager, location=tenant_a.location, product=product, dose_number=1,
                           weekdays=list(range(7)), opens_at=datetime.time(9), closes_at=datetime.time(10),
                           slot_minutes=30, capacity=2, first_day=TOMORROW, last_day=TOMORROW)


class TestSchedulesPage:
    def test_the_manager_sees_the_forms_and_the_tab(self, client, tenant_a, schedule):
        client.force_login(tenant_a.manager)
        body = client.get(_url("schedules", tenant_a)).content.decode()
        assert 'data-testid="schedule-form"' in body and 'data-testid="self-scheduling-toggle"' in body
        assert 'data-testid="schedules-link"' in body and 'aria-current="page">Schedules' in body
        assert body.count('data-testid="schedule-row"') == 1 and body.count('data-testid="day-row"') == 1

    @pytest.mark.parametrize("who", ["front_desk", "vaccinator", "coordinator"])
    def test_the_locations_other_people_read_it_without_forms(self, client, tenant_a, schedule, who):
        client.force_login(getattr(tenant_a, who))
        body = client.get(_url("schedules", tenant_a)).content.decode()
        assert 'data-testid="schedule-row"' in body and 'data-testid="schedules-read-only"' in body
        assert 'data-testid="schedule-form"' not in body and 'data-testid="block-day"' not in body

    def test_state_staff_read_it_without_links_to_the_day_list_they_may_not_open(self, client, tenant_a, schedule,
                                                                                 state_reviewer):
        client.force_login(state_reviewer)
        response = client.get(_url("schedules", tenant_a))
        assert response.status_code == 200 and 'data-testid="day-row"' in response.content.decode()
        assert _url("appointments_day", tenant_a) not in response.content.decode()

    def test_anonymous_people_are_sent_to_sign_in(self, client, tenant_a):
        response = client.get(_url("schedules", tenant_a))
        assert response.status_code == 302 and "login" in response.url

    def test_a_wrong_method_is_refused(self, client, tenant_a):
        client.force_login(tenant_a.manager)
        assert client.put(_url("schedules", tenant_a)).status_code == 405
        assert client.get(_url("schedule_day", tenant_a)).status_code == 405


class TestCreateSchedule:
    def test_the_manager_creates_a_schedule_with_closed_dates(self, client, tenant_a, product):
        client.force_login(tenant_a.manager)
        closed = TOMORROW + datetime.timedelta(days=1)
        response = client.post(_url("schedules", tenant_a), _form(
            product, last_day=(TOMORROW + datetime.timedelta(days=2)).strftime("%m/%d/%Y"),
            closed_days=closed.strftime("%m/%d/%Y")))
        assert response.status_code == 302
        schedule = Schedule.objects.get(location=tenant_a.location)
        assert schedule.closed_days == [closed] and schedule.slots.count() == 4
        assert AuditLog.objects.filter(action="appointments.schedule.created", actor=tenant_a.manager).exists()

    @pytest.mark.parametrize(("changes", "message"), [
        ({"closes_at": "08:00"}, "Closes: The closing time must be after the opening time."),
        ({"slot_minutes": "0"}, "Minutes a time: A slot lasts from 5 to 240 minutes."),
        ({"weekdays": []}, "Days of the week: This field is required."),
        ({"closed_days": "12/01/2026, someday"}, "Closed dates: someday is not a date: type MM/DD/YYYY."),
        ({"first_day": "13/45/2026"}, "First day: Enter a valid date."),
    ])
    def test_a_refusal_is_shown_on_its_field_and_nothing_is_saved(self, client, tenant_a, product, changes, message):
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedules", tenant_a), _form(product, **changes))
        assert response.status_code == 400 and message in response.content.decode()
        assert not Schedule.objects.exists()

    def test_overlapping_hours_are_refused_on_the_opening_time(self, client, tenant_a, product, schedule):
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedules", tenant_a), _form(product))
        assert response.status_code == 400 and "Opens: These hours overlap" in response.content.decode()

    @pytest.mark.parametrize("who", ["front_desk", "vaccinator", "coordinator"])
    def test_only_the_manager_may_create(self, client, tenant_a, product, who):
        client.force_login(getattr(tenant_a, who))
        assert client.post(_url("schedules", tenant_a), _form(product)).status_code == 404
        assert not Schedule.objects.exists()


class TestSelfSchedulingToggle:
    def test_the_manager_turns_online_booking_on(self, client, tenant_a):
        client.force_login(tenant_a.manager)
        response = client.post(_url("self_scheduling", tenant_a), {"enabled": "on"}, follow=True)
        assert SelfScheduling.objects.get(location=tenant_a.location).enabled
        assert "Recipients can now book online here." in response.content.decode()

    def test_front_desk_may_not(self, client, tenant_a):
        client.force_login(tenant_a.front_desk)
        assert client.post(_url("self_scheduling", tenant_a), {"enabled": "on"}).status_code == 403
        assert not SelfScheduling.objects.exists()


class TestDayActions:
    def test_blocking_a_day_says_how_many_keep_their_booking_and_links_to_the_day(self, client, tenant_a, schedule):
        appointment_book(recipient=tenant_a.recipient, slot=schedule.slots.first())
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedule_day", tenant_a), {
            "action": "block", "day": TOMORROW.strftime("%m/%d/%Y"), "schedule": ""}, follow=True)
        body = response.content.decode()
        assert "1 person booked on" in body and f"?day={TOMORROW.isoformat()}" in body
        assert not Slot.objects.filter(schedule=schedule, blocked=False).exists()

    def test_fewer_seats_than_booked_is_refused_on_the_seats_with_the_number(self, client, tenant_a, schedule):
        slot = schedule.slots.first()
        for _ in range(2):
            appointment_book(recipient=RecipientFactory(), slot=slot)
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedule_day", tenant_a), {
            "action": "seats", "day": TOMORROW.strftime("%m/%d/%Y"), "schedule": schedule.pk, "seats": "1"})
        assert response.status_code == 400
        assert "Seats a time: 2 people are booked at one of these times" in response.content.decode()

    def test_changing_seats_needs_a_schedule(self, client, tenant_a, schedule):
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedule_day", tenant_a), {
            "action": "seats", "day": TOMORROW.strftime("%m/%d/%Y"), "schedule": "", "seats": "4"})
        assert response.status_code == 400 and "Schedule: Choose the schedule whose seats change." in \
            response.content.decode()

    def test_another_locations_schedule_is_not_a_choice(self, client, tenant_a, tenant_b, product):
        theirs = schedule_create(actor=None, location=tenant_b.location, product=product, dose_number=1,
                                 weekdays=list(range(7)), opens_at=datetime.time(9), closes_at=datetime.time(10),
                                 slot_minutes=30, capacity=2, first_day=TOMORROW, last_day=TOMORROW)
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedule_day", tenant_a), {
            "action": "block", "day": TOMORROW.strftime("%m/%d/%Y"), "schedule": theirs.pk})
        assert response.status_code == 400 and "Schedule: Select a valid choice." in response.content.decode()
        assert not Slot.objects.filter(blocked=True).exists()

    def test_a_past_day_is_refused_on_the_day(self, client, tenant_a, schedule):
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedule_day", tenant_a), {
            "action": "block", "day": "01/01/2020", "schedule": ""})
        assert response.status_code == 400 and "Day: This day has passed" in response.content.decode()

    def test_front_desk_may_not_block(self, client, tenant_a, schedule):
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("schedule_day", tenant_a), {
            "action": "block", "day": TOMORROW.strftime("%m/%d/%Y"), "schedule": ""})
        assert response.status_code == 403


class TestFarDaysAndJunk:
    def test_a_schedule_at_the_end_of_the_calendar_is_refused_naming_its_day(self, client, tenant_a, product):
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedules", tenant_a), _form(product, first_day="12/31/9999",
                                                                   last_day="12/31/9999"))
        assert response.status_code == 400 and "First day:" in response.content.decode()
        assert not Schedule.objects.exists()

    def test_a_schedule_of_more_than_a_year_is_refused_on_the_last_day(self, client, tenant_a, product):
        client.force_login(tenant_a.manager)
        last = TOMORROW + datetime.timedelta(days=366)
        response = client.post(_url("schedules", tenant_a), _form(product, last_day=last.strftime("%m/%d/%Y")))
        assert response.status_code == 400 and "Last day:" in response.content.decode()

    @pytest.mark.parametrize("day", ["12/31/9999", "9999-12-31"])
    def test_blocking_a_day_at_the_end_of_the_calendar_is_refused_naming_the_day(self, client, tenant_a, schedule,
                                                                                day):
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedule_day", tenant_a), {"action": "block", "day": day, "schedule": ""})
        assert response.status_code == 400 and "Day:" in response.content.decode()

    @pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-12-03\x00", "\uff12\uff10\uff12\uff16"])
    def test_the_schedules_page_with_a_junk_blocked_day_still_shows(self, client, tenant_a, schedule, day):
        client.force_login(tenant_a.manager)
        assert client.get(_url("schedules", tenant_a), {"blocked": day}).status_code == 200

    def test_huge_seats_are_refused_on_the_seats(self, client, tenant_a, schedule):
        client.force_login(tenant_a.manager)
        response = client.post(_url("schedule_day", tenant_a), {
            "action": "seats", "day": TOMORROW.strftime("%m/%d/%Y"), "schedule": schedule.pk, "seats": "9" * 30})
        assert response.status_code == 400 and "Seats a time:" in response.content.decode()
        response = client.post(_url("schedules", tenant_a), _form(schedule.product, capacity="9" * 30,
                                                                  first_day="01/01/2099", last_day="01/01/2099"))
        assert response.status_code == 400

    def test_a_coordinator_of_another_location_may_not_change_schedules(self, client, tenant_a, tenant_b, product):
        client.force_login(tenant_b.manager)
        assert client.post(_url("schedules", tenant_a), _form(product)).status_code == 404
        assert client.post(_url("schedule_day", tenant_a), {"action": "block", "day": TOMORROW.strftime("%m/%d/%Y"),
                                                            "schedule": ""}).status_code == 404
        client.force_login(tenant_a.front_desk)
        assert client.post(_url("schedules", tenant_a), _form(product)).status_code in (403, 404)
        assert not Schedule.objects.exists()
