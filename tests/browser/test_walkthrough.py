"""Every demo login walked as a new user would, on a phone (390 px) and on a desktop: every page
its links reach (a few of each shape) opens (no refusal), fits the screen without sideways
scrolling, and passes axe-core's WCAG 2.1 A/AA rules. Recipient pages, and the welcome link's
pages, are walked on the phone first of all."""

import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest
from django.core import mail

from cvms.demo.seed import DEMO_PASSWORD, seed_demo_everywhere
from cvms.recipients.models import Recipient
from cvms.recipients.welcome import welcome_email_resend, welcome_emails_send
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
#: Links a walk does not follow: they change something, download a file (with its page's filters, too),
#: leave the portals, page on without end (the next page, the next day) or narrow a page walked already
#: to one of its rows (a dashboard's county: tests/browser/test_dashboard.py checks those).
NOT_FOLLOWED = re.compile(r"^/(admin|api|dev|static|media|i18n)/|/accounts/logout/|"
                          r"\.(csv|xlsx|pdf|ics|smart-health-card)(\?|$)|[?&](page|sort|after|before|day|county)=")
#: Pages of one shape (another recipient's, another dose's: the same page for other records) a login's
#: walk opens at most: the demo's month of doses would otherwise have it open every one of them.
SAME_SHAPE = 3


@pytest.fixture
def demo_logins(reference_data):
    return seed_demo_everywhere()


def _check(page, url):
    """On the phone and on the desktop: the page fits and passes axe."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_fits(page, url)
        assert_accessible(page)


def _links(page) -> list[str]:
    here = page.url
    found = []
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
        url = urlsplit(urljoin(here, href))
        path = url.path + (f"?{url.query}" if url.query else "")
        if url.netloc == urlsplit(here).netloc and not NOT_FOLLOWED.search(path) and path not in found:
            found.append(path)
    return found


def test_recipient_pages_fit_a_phone_and_pass_axe(page, demo_logins):
    page.set_viewport_size(PHONE)
    loaded = Recipient.objects.filter(user__isnull=True, email__isnull=False).order_by("pk").first()
    welcome_email_resend(recipient=loaded)  # waiting for its email again: send it here
    welcome_emails_send(recipient_ids=[loaded.pk])
    link = re.search(r"https?://\S+(/recipient/welcome/\S+/)", mail.outbox[-1].body).group(1)

    page.goto(link)
    page.get_by_role("button", name="Set password").wait_for()
    assert_fits(page, "the welcome link")
    assert_accessible(page)
    page.locator('[name="password1"]').fill("Sound-Harbor-2021!")
    page.locator('[name="password2"]').fill("Different-Harbor-2021!")
    page.get_by_role("button", name="Set password").click()
    page.get_by_text("The two passwords do not match.").first.wait_for()
    assert_fits(page, "the welcome link with an error")
    assert_accessible(page)
    page.goto("/recipient/welcome/not-a-real-link/")
    assert_fits(page, "an invalid welcome link")
    assert_accessible(page)

    sign_in(page, "recipient@example.com", DEMO_PASSWORD)
    page.wait_for_url("**/recipient/")
    for url in ["/recipient/", *[u for u in _links(page) if u != "/recipient/"]]:
        page.goto(url)
        assert_fits(page, url)
        assert_accessible(page)
    assert page.get_by_test_id("help-line").inner_text().count("(888) 675-4567") == 1


def test_every_demo_login_walks_its_portals_without_refusals_on_a_phone_and_a_desktop(page, demo_logins):
    checked = set()
    for login in [None, *demo_logins]:
        page.context.clear_cookies()
        if login is None:
            page.goto("/")
        else:
            sign_in(page, login.email, DEMO_PASSWORD)
            page.wait_for_url(f"**{login.portal}")
        queue = [urlsplit(page.url).path, "/"]
        seen, shapes = set(), Counter()
        while queue:
            url = queue.pop(0)
            shape = re.sub(r"[0-9]+", "#", url)
            if url in seen or url.startswith("/admin/") or shapes[shape] >= SAME_SHAPE:
                continue
            seen.add(url)
            shapes[shape] += 1
            response = page.goto(url)
            assert response.status == 200, f"{login and login.email} got {response.status} at {url}"
            if url not in checked or url == "/":  # the same page looks the same for the next login
                checked.add(url)
                _check(page, url)
            queue += [link for link in _links(page) if link not in seen]
