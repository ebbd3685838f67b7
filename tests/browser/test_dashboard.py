"""The dashboards in the browser: a Location Manager's, an Organization Administrator's, and with
the demo data a health department's and the state's. The charts are drawn from the tables on a
phone and a desktop, a filter (and on the state's, a county's name in a table) changes the tables,
and a figure's CSV downloads."""

import datetime

import pytest
from django.utils import timezone

from cvms.appointments.services import appointment_book
from cvms.appointments.tests.helpers import open_schedule
from cvms.dashboards.jurisdiction_figures import FIGURE_KEYS
from cvms.demo.seed import DEMO_PASSWORD, seed_demo_everywhere
from cvms.immunizations.tests.history_fixtures import MODERNA, give, local, receive
from cvms.inventory import choices as c
from cvms.inventory.services.stock import lot_waste
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in
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


#: How a chart lays out on the page: its legend's names (each whole, inside the chart's width), the
#: share of its height the plot keeps, and whether every row's label is shown.
LAYOUT = """table => {
    const figure = table.previousElementSibling, canvas = figure.querySelector("canvas");
    const chart = Chart.getChart(canvas), edge = figure.getBoundingClientRect().right;
    const items = Array.from(figure.querySelectorAll(".cvms-chart-legend li"));
    const rows = table.querySelectorAll("tbody tr[data-row]").length;
    const labels = chart.scales[chart.options.indexAxis === "y" ? "y" : "x"].ticks.length;
    return {legend: items.map(item => item.textContent),
            inside: items.every(item => item.getBoundingClientRect().right <= edge),
            plot: chart.chartArea.height / canvas.clientHeight, every_label: labels === rows};
}"""


def _drawn(page, keys) -> None:
    """Each of ``keys``' charts is drawn (some pixel painted) from its table."""
    for key in keys:
        table = page.locator(f"#table-{key}")
        table.and_(page.locator("[data-chart-drawn]")).wait_for()
        assert table.evaluate(DRAWN), f"the {key} chart drew nothing"


def _column(page, key: str) -> list[str]:
    """The row labels (first cells) of a figure's table."""
    return page.locator(f"#table-{key} tbody th").all_inner_texts()


def _csv(page, key: str) -> list[str]:
    with page.expect_download() as download:
        page.get_by_test_id(f"csv-{key}").click()
    return open(download.value.path(), encoding="utf-8-sig").read().splitlines()  # noqa: SIM115


def _header(page, key: str) -> str:
    """A figure's table headings as its CSV's first row writes them."""
    return ",".join(f'"{heading}"' for heading in page.locator(f"#table-{key} thead th").all_inner_texts())


@pytest.fixture
def demo(reference_data):
    seed_demo_everywhere()


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


def test_a_health_departments_staff_reads_its_dashboard_with_the_demo_data_filters_it_and_downloads_a_csv(page,
                                                                                                          demo):
    sign_in(page, "lhd@example.com", DEMO_PASSWORD)
    page.wait_for_url("**/organization/")
    page.get_by_test_id("department-dashboard-link").click()
    page.wait_for_url("**/organization/departments/*/dashboard/")
    _drawn(page, FIGURE_KEYS)
    assert _column(page, "county") == ["Wake"]
    assert "Capital Area Couriers" in _column(page, "employers")
    assert_accessible(page)
    on_a_phone(page, "a health department's dashboard")

    products = page.locator("#table-doses thead th").all_inner_texts()[1:]
    assert len(products) >= 2
    page.get_by_test_id("dashboard-filters").get_by_label("Vaccine").select_option(label=products[0])
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url(lambda url: "product=" in url)
    assert page.locator("#table-doses thead th").all_inner_texts() == ["Day", products[0]]
    _drawn(page, ["doses", "age"])

    content = _csv(page, "employers")
    assert content[0] == _header(page, "employers") == (
        '"Organization","Invited on","Employees uploaded","Registration completed","Percent completed"')
    assert any(line.startswith('"Capital Area Couriers"') for line in content[1:])


def test_state_staff_read_the_state_dashboard_choose_a_county_drill_into_one_and_download_a_csv(page, demo):
    sign_in(page, "state@example.com", DEMO_PASSWORD)
    page.wait_for_load_state()
    page.get_by_test_id("portal-nav").get_by_role("link", name="Organization Portal").click()
    page.wait_for_url("**/organization/")
    page.get_by_test_id("state-dashboard-link").click()
    page.wait_for_url("**/organization/state/dashboard/")
    _drawn(page, FIGURE_KEYS)
    assert _column(page, "county") == ["Durham", "Wake"]
    every_county = page.locator("#table-doses").inner_text()
    assert_accessible(page)
    on_a_phone(page, "the state's dashboard")

    page.get_by_test_id("dashboard-filters").get_by_label("County").select_option("Durham")
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url(lambda url: "county=Durham" in url)
    assert page.get_by_test_id("dashboard-county").inner_text().startswith("Durham County only.")
    assert _column(page, "county") == ["Durham"]
    assert _column(page, "delivered") == ["Triangle Health Durham Clinic"]
    assert page.locator("#table-doses").inner_text() != every_county
    _drawn(page, ["doses", "county", "delivered"])
    content = _csv(page, "county")
    assert content == ['"County","Doses given"', f'"Durham","{page.locator("#table-county tbody td").inner_text()}"']

    page.get_by_test_id("all-counties").click()
    page.wait_for_url(lambda url: "county=" not in url)
    page.locator("#table-county").get_by_role("link", name="Wake").click()
    page.wait_for_url(lambda url: "county=Wake" in url)
    assert _column(page, "county") == ["Wake"]
    assert _column(page, "delivered") == ["Triangle Health Raleigh Clinic"]
    assert "Capital Area Couriers" in _column(page, "employers")
    _drawn(page, ["county", "employers"])
    assert_accessible(page)
    on_a_phone(page, "a county of the state's dashboard")


def test_on_a_phone_each_state_chart_names_every_column_in_full_and_keeps_its_height_for_the_plot(page, demo):
    page.set_viewport_size(PHONE)
    sign_in(page, "state@example.com", DEMO_PASSWORD)
    page.wait_for_load_state()
    page.goto("/organization/state/dashboard/")
    _drawn(page, FIGURE_KEYS)
    for key in FIGURE_KEYS:
        table = page.locator(f"#table-{key}")
        layout = table.evaluate(LAYOUT)
        headings = table.locator("thead th").all_inner_texts()
        columns = [int(n) for n in (table.get_attribute("data-chart-columns") or "").split(",") if n]
        assert layout["legend"] == [headings[n] for n in columns or range(1, len(headings))], key
        assert layout["inside"], f"the {key} chart's legend runs past the chart"
        assert layout["plot"] > 0.5, f"the {key} chart keeps {layout['plot']:.0%} of its height for the plot"
    for key in ("sex", "race", "delivered", "lag"):  # long labels: every one is shown
        assert page.locator(f"#table-{key}").evaluate(LAYOUT)["every_label"], key
    assert_fits(page, "the state's dashboard on a phone")
