"""Check-in in the browser, keyboard first and on a phone's screen: the Front Desk registers a walk-in
(who joins the queue), then finds a person already registered by search and checks them in. Every
page passes axe and fits a 390 px window."""

import pytest

from cvms.immunizations.models import CheckIn
from cvms.recipients.models import Recipient
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


def _checked(page, where: str) -> None:
    assert_accessible(page)
    assert_fits(page, where)


def test_walk_in_joins_the_queue_then_a_registered_person_is_found_and_checked_in(page, tenant_a, password):
    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.front_desk.email, password)
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/locations/{tenant_a.location.pk}/")
    page.get_by_test_id("checkin-link").click()
    page.wait_for_url("**/check-in/")
    assert _focused(page) == "id_q"  # the search box has focus on load
    _checked(page, "check-in page")

    # Walk-in registration, top to bottom with the keyboard: type, Tab, Space for a checkbox, Enter saves.
    page.get_by_test_id("walk-in-link").click()
    page.wait_for_url("**/walk-in/")
    assert _focused(page) == "id_first_name"
    _checked(page, "walk-in form")
    keys = page.keyboard
    for text in ("Bo", "Newman", "04/01/1990"):
        keys.type(text)
        keys.press("Tab")
    keys.type("Male")  # the sex list: typing picks the option
    keys.press("Tab")
    for _ in range(4):  # race: past American Indian, Asian, Black, Pacific Islander to White
        keys.press("Tab")
    keys.press("Space")
    for _ in range(4):  # past Other race, Unknown, Prefer not to say to ethnicity
        keys.press("Tab")
    keys.type("Not")
    keys.press("Tab")
    keys.press("Tab")  # no email (FAQ 30)
    keys.type("919 555 0111")
    page.get_by_label("City", exact=True).fill("Cary")
    page.get_by_label("Industry").select_option("other")  # not employed: no employer, industry Other
    page.get_by_label("City", exact=True).press("Enter")
    page.wait_for_url("**/check-in/")
    assert "Bo Newman is registered and checked in." in page.get_by_role("status").first.inner_text()
    newman = Recipient.objects.get(last_name="Newman")
    assert (newman.sex, newman.race, newman.ethnicity, newman.phone, newman.email) == (
        "M", ["2106-3"], "2186-5", "9195550111", "")
    assert page.get_by_test_id("queue-row").count() == 1
    _checked(page, "check-in page with the queue")

    # A person registered earlier: search, Down arrow to the result, Enter opens the record, Enter checks in.
    search = page.get_by_label("Find a recipient")
    search.fill(f"{tenant_a.recipient.last_name} 3/14/1985")
    search.press("Enter")
    page.get_by_test_id("search-results").wait_for()
    _checked(page, "search results")
    search = page.get_by_label("Find a recipient")
    search.press("ArrowDown")
    assert _focused(page).startswith(f"{tenant_a.recipient.last_name}, {tenant_a.recipient.first_name}")
    keys.press("Enter")
    page.wait_for_url(f"**/recipients/{tenant_a.recipient.pk}/")
    assert _focused(page) == "Check in"
    _checked(page, "recipient record")
    keys.press("Enter")
    page.wait_for_url("**/check-in/")
    assert page.get_by_test_id("queue-row").count() == 2
    assert list(CheckIn.objects.order_by("checked_in_at").values_list("recipient__last_name", flat=True)) == [
        "Newman", tenant_a.recipient.last_name]
    _checked(page, "check-in page with two waiting")
