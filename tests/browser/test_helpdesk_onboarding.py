"""HCP User Onboarding in the browser: a provider files the template naming two people at their
location; an agent processes it in admin with one click; the two people are emailed, set their
passwords from the invitation and sign in to the Provider Portal at that location."""

import re

import pytest
from django.core import mail

from cvms.accounts.services import invitation_email_send
from helpdesk.models import Case
from helpdesk.services import case_confirmation_send, case_message_send
from tests.browser.conftest import assert_accessible, assert_fits, sign_in
from tests.browser.steps import create_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [("Nora Nurse", "nora.nurse@example.com", "Healthcare Provider (vaccinator)"),
          ("Frank Desk", "frank.desk@example.com", "Front Desk")]


def _run_emails(queued_tasks):
    """What the queued email tasks do."""
    run = {"helpdesk.tasks.send_case_confirmation": lambda pk: case_confirmation_send(case_id=pk),
           "helpdesk.tasks.send_case_message": lambda pk: case_message_send(message_id=pk),
           "cvms.accounts.tasks.send_invitation": lambda pk: invitation_email_send(invitation_id=pk)}
    for name, args, _kwargs in queued_tasks:
        if name in run:
            run[name](args[0])
    queued_tasks.clear()


def _invitation_path(email):
    (sent,) = [m for m in mail.outbox if email in m.to and "/accounts/invitation/" in m.body]
    return re.sub(r"^https?://[^/]+", "", re.search(r"https?://\S+/accounts/invitation/\S+/", sent.body).group(0))


def test_an_onboarding_file_lets_two_people_sign_in_to_the_provider_portal_at_the_location(
        page, browser, live_server, tenant_a, agent, password, queued_tasks, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    pin = tenant_a.location.provider_pin
    sign_in(page, tenant_a.manager.email, password)
    page.goto("/helpdesk/onboarding/")
    assert_accessible(page)
    form = page.get_by_test_id("hcp-form")
    form.get_by_label("Organization name").fill("Health System A")
    form.get_by_label("Description of request").fill("Two new people at Clinic A1.")
    rows = "".join(f"{name},{email},{pin},{role}\n" for name, email, role in PEOPLE)
    form.locator("#hcp_file").set_input_files({
        "name": "people.csv", "mimeType": "text/csv", "buffer": f"Name,Email,Location PIN,Role\n{rows}".encode()})
    form.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/helpdesk/submitted/")
    case = Case.objects.get(number=page.get_by_test_id("case-number").inner_text())
    assert_accessible(page)

    # The agent processes the file from the list of cases in admin.
    admin = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
    sign_in(admin, agent.email, password)
    admin.goto("/admin/helpdesk/case/")
    admin.locator(f'input[name="_selected_action"][value="{case.pk}"]').check()
    admin.locator('select[name="action"]').select_option("process_onboarding")
    admin.get_by_role("button", name="Go").click()
    admin.get_by_text("1 case changed.").wait_for()
    admin.context.close()
    _run_emails(queued_tasks)
    assert any(case.number in m.subject and tenant_a.manager.email in m.to for m in mail.outbox)

    for name, email, _role in PEOPLE:
        page.context.clear_cookies()
        page.goto(_invitation_path(email))
        assert_accessible(page)
        first, last = name.split()
        create_account(page, first=first, last=last, password=password, lands="**/provider/**")
        page.context.clear_cookies()
        sign_in(page, email, password)
        page.wait_for_url("**/provider/**")
        assert tenant_a.location.name in page.content()
        assert_accessible(page)
        assert_fits(page, f"{email} in the Provider Portal")
