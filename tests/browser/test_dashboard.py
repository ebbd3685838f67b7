"""A Location Manager's dashboard in the browser: the charts are drawn from the tables on a phone
and a desktop, a filter changes the tables, and a figure's CSV downloads."""

import datetime

import pytest
from django.utils import timezone

from cvms.appointments.services import appointment_book
from cvms.appointments.tests.helpers import open_schedule
from cvms.immunizations.tests.history_fixtures import MODERNA, give, local, receive
from cvms.inventory import choices as c
from cvms.inventory.services.stock import lot_waste
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.steps import on_a_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

DRAWN = """table => {
    const canvas = table.previousElementSibling.querySelector("canvas");
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i]) return true; }
    return false;
}"""


def _demo_like(tenant):
    pfizer = receive(tenant, "FN7934", doses=60, product=VaccineProductFactory())
    moderna = receive(tenant, "MD0101", doses=40, product=VaccineProductFactory(**MODERNA))
    for days_ago, lot in ((1, pfizer), (1, pfizer), (2, moderna), (3, pfizer), (3, moderna)):
        give(tenant, lot, local(TODAY - days_ago * DAY))
    lot_waste(lot=pfizer, quantity=2, reason=c.WasteReason.DRAWN_NOT_GIVEN, actor=tenant.manager)
    schedule = open_schedule(tenant.location, product=pfizer.product, capacity=3)
    appointment_book(recipient=RecipientFactory(), slot=schedule.slots.order_by("starts_at").first())
    return pfizer, moderna


def test_a_manager_reads_the_dashboard_filters_it_and_downloads_a_csv(page, tenant_a, password):
    pfizer, moderna = _demo_like(tenant_a)
    sign_in(page, tenant_a.manager.email, password)
    page.wait_for_url("**/provider/")
    page.get_by_role("link", name=tenant_a.location.name).click()
    page.get_by_test_id("dashboard-link").click()
    page.wait_for_url("**/dashboard/")
    for key in ("doses", "supply", "wastage", "appointments", "registration"):
        table = page.locator(f"#table-{key}")
        table.and_(page.locator("[data-chart-drawn]")).wait_for()
        assert table.evaluate(DRAWN), f"the {key} chart drew nothing"
    doses = page.locator("#table-doses")
    assert doses.locator("thead th").all_inner_texts() == ["Day", moderna.product.display_name,
                                                            pfizer.product.display_name]
    assert_accessible(page)
    on_a_phone(page, "the dashboard")

    page.get_by_label("Vaccine").select_option(label=moderna.product.display_name)
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url(lambda url: f"product={moderna.product.pk}" in url)
    assert doses.locator("thead th").all_inner_texts() == ["Day", moderna.product.display_name]
    assert doses.locator("tbody tr").count() == 2

    with page.expect_download() as download:
        page.get_by_test_id("csv-doses").click()
    content = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    assert content[0] == f'"Day","{moderna.product.display_name}"' and len(content) == 3


def test_an_organization_administrator_reads_the_organizations_dashboard_from_the_navigation(page, tenant_a,
                                                                                             password):
    _demo_like(tenant_a)
    sign_in(page, tenant_a.org_admin.email, password)
    page.wait_for_load_state()
    page.get_by_test_id("portal-nav").get_by_role("link", name="Provider Portal").click()
    page.wait_for_url("**/provider/")
    assert_accessible(page)
    page.get_by_test_id("dashboard-organizations").get_by_role("link").click()
    page.wait_for_url("**/dashboard/")
    table = page.locator("#table-doses")
    table.and_(page.locator("[data-chart-drawn]")).wait_for()
    assert table.evaluate(DRAWN)
    assert_accessible(page)
    on_a_phone(page, "the organization's dashboard")
