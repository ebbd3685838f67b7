"""The development mailbox in Chromium: long links wrap, the HTML preview is big enough to read,
and the pages pass axe-core's WCAG 2.1 AA rules."""

import pytest
from django.core import mail

from cvms.accounts.tests.factories import PASSWORD, UserFactory
from cvms.core.mail import MailboxBackend
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_read_a_long_email_without_scrolling_sideways(page, settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "cvms.core.mail.MailboxBackend"
    settings.CVMS_MAILBOX_DIR = tmp_path
    link = "http://127.0.0.1:8000/accounts/password/reset/key/" + "x" * 400 + "/"
    message = mail.EmailMultiAlternatives("Reset your password", f"Reset it here: {link}", to=["pat@example.com"])
    message.attach_alternative(f"<p>Reset it <a href='{link}'>here</a>.</p>" + "<p>Line</p>" * 40, "text/html")
    MailboxBackend().send_messages([message])
    UserFactory(email="developer@example.com", is_staff=True)

    sign_in(page, "developer@example.com", PASSWORD)
    page.goto("/dev/mail/")
    assert_accessible(page)
    page.get_by_role("link", name="Reset your password").click()
    page.get_by_role("heading", name="Reset your password").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.get_by_title("HTML version of the email").bounding_box()
    assert box["width"] >= 600 and box["height"] >= 400
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto("/dev/mail/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
