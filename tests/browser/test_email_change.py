"""Changing the email on a phone: the preferences page says what the person signs in with, the link
sent to the new address asks to confirm and names the new username, and the portal says it again."""

import re

import pytest
from django.core import mail

from cvms.recipients.email_change import email_change_mail_send
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, where=""):
    assert_accessible(page)
    assert_fits(page, where)


def test_a_recipient_changes_their_email_and_learns_their_new_username(page, tenant_a, password, queued_tasks):
    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.recipient_user.email, password)
    page.goto("/recipient/preferences/")
    assert tenant_a.recipient_user.username in page.get_by_test_id("sign-in-username").inner_text()
    checked(page, "the preferences page")
    page.get_by_label("Email").fill("rita.new@example.com")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/recipient/")
    assert "We sent a link to rita.new@example.com" in page.content()

    (kind, recipient_id, address) = next(args for name, args, _ in queued_tasks
                                         if name == "cvms.recipients.tasks.send_email_change_mail")
    email_change_mail_send(kind=kind, recipient_id=recipient_id, address=address)  # what the task does
    link = re.search(r"https?://[^/\s]+(/recipient/preferences/email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    # Rita's username is her account's email, so it follows as the bare new email.
    assert "username rita.new@example.com." in page.get_by_test_id("new-username").inner_text()
    checked(page, "the confirm page")
    page.get_by_role("button", name="Confirm my new email").click()
    page.wait_for_url("**/recipient/preferences/")
    assert "Next time, sign in with rita.new@example.com." in page.content()
    checked(page, "the preferences page after the change")
