"""Every demo login signs in through the real pages and reaches its portal home."""

import pytest

from cvms.demo.seed import DEMO_PASSWORD, seed_demo_everywhere
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED_HEADING = {
    "/enroll/": "Provider Enrollment Portal",
    "/provider/": "Provider Portal",
    "/recipient/": "COVID-19 Vaccine Portal",
    "/organization/": "Organization Portal",
    "/helpdesk/": "Help Desk Portal",
    "/admin/": "Site administration",
}


@pytest.fixture
def demo_logins(reference_data):
    return seed_demo_everywhere()


def test_home_page_shows_visitors_the_public_entry_points(page):
    page.goto("/")
    cards = page.locator(".cvms-portal-card[data-portal]")
    keys = [cards.nth(i).get_attribute("data-portal") for i in range(cards.count())]
    assert keys == ["enrollment", "recipient", "helpdesk"]
    assert_accessible(page)


def test_every_demo_login_reaches_its_portal(page, demo_logins):
    assert len({login.portal for login in demo_logins}) == 6
    for login in demo_logins:
        sign_in(page, login.email, DEMO_PASSWORD)
        page.wait_for_url(f"**{login.portal}")
        heading = page.locator("h1").first.inner_text()
        assert EXPECTED_HEADING[login.portal] in heading, f"{login.email} saw {heading!r}"
        assert_accessible(page)
        page.context.clear_cookies()


def test_provider_with_two_locations_opens_each_with_its_pin(page, demo_logins):
    sign_in(page, "coordinator@example.com", DEMO_PASSWORD)
    page.wait_for_url("**/provider/")
    for pin in ("NCA000001", "NCA000002"):
        page.goto("/provider/")
        page.get_by_role("row").filter(has_text=pin).get_by_role("link").click()
        assert page.get_by_test_id("provider-pin").inner_text() == pin
        assert_accessible(page)


def test_language_switcher_shows_spanish(page):
    page.goto("/")
    assert_accessible(page)
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page)
