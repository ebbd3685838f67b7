"""Headless Chromium (Debian's package) driven by Playwright against the live test server."""

import shutil

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is required for browser tests (make setup installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def wait_for_text(page, text: str) -> None:
    """Wait until the page shows ``text``: after a form posts back to its own address the URL does not
    change, and reading the page at once may catch it mid-load."""
    page.locator("body", has_text=text).wait_for()


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email or username").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


#: A phone's window, in CSS pixels.
PHONE = {"width": 390, "height": 844}


def assert_fits(page, where: str = "") -> None:
    """The page is no wider than the window: nothing makes the reader scroll sideways."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{where or page.url} is {width} px wide in a {window} px window"


#: WCAG 2.1 A and AA rules of axe-core.
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


def assert_accessible(page):
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now (once a page a click
    opened has loaded: a document still being replaced has no root for axe to read).

    axe-core (0.5 MB) goes into a document once, however often the document is checked (a page is
    checked on a phone and on a desktop), and only the violations come back from the browser."""
    from axe_playwright_python.base import AXE_SCRIPT, AxeResults

    page.wait_for_load_state()
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = AxeResults(page.evaluate("options => axe.run(options).then(found => ({violations: found.violations}))",
                                       WCAG_21_AA))
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
