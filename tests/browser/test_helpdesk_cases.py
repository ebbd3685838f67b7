"""A help desk case from start to finish in the browser: a provider files it with a file and gets a
number; an agent in admin asks for information; the provider replies in My Lists; the agent
resolves it; the provider is emailed the resolution notes."""

import pytest
from django.core import mail

from helpdesk.models import Case, CaseStatus
from helpdesk.services import case_confirmation_send, case_message_send
from helpdesk.tests.factories import KnowledgeArticleFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, where=""):
    assert_accessible(page)
    assert_fits(page, where)


def _run_emails(queued_tasks):
    """What the queued email tasks do."""
    for name, args, _kwargs in queued_tasks:
        if name == "helpdesk.tasks.send_case_confirmation":
            case_confirmation_send(case_id=args[0])
        elif name == "helpdesk.tasks.send_case_message":
            case_message_send(message_id=args[0])
    queued_tasks.clear()


def _agent_works(browser, live_server, agent, password, case, work, text):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    admin = context.new_page()
    sign_in(admin, agent.email, password)
    admin.goto(f"/admin/helpdesk/case/{case.pk}/change/")
    admin.get_by_label("Work on the case").select_option(work)
    admin.locator("#id_text").fill(text)
    admin.get_by_role("button", name="Save", exact=True).click()
    admin.wait_for_url("**/admin/helpdesk/case/")
    context.close()


def test_a_provider_files_a_case_replies_when_asked_and_is_emailed_the_resolution(
        page, browser, live_server, tenant_a, agent, password, queued_tasks, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.manager.email, password)
    page.goto("/helpdesk/provider/new/")
    assert page.get_by_test_id("default-organization").input_value() == "Generic Vaccine Provider"
    checked(page, "Get Help")
    page.get_by_label("Organization name").fill("Health System A")
    page.get_by_label("Request type").select_option(label="Inventory")
    KnowledgeArticleFactory(slug="count-differs", audience="provider",
                            title_en="What if the doses we count differ from the inventory?",
                            body_en="Record an adjustment with its reason, or ask the Help Desk.",
                            title_es="¿Y si las dosis contadas no coinciden con el inventario?",
                            body_es="Registre un ajuste con su motivo, o consulte a la Mesa de Ayuda.")
    description = page.get_by_label("Description of request")
    description.press_sequentially("The doses we count differ from the inventory", delay=10)
    suggested = page.locator("[aria-live=polite]").get_by_role("link", name="What if the doses we count differ "
                                                                              "from the inventory?")
    suggested.wait_for()  # a knowledge base article is suggested while the request is typed
    checked(page, "Get Help with a suggested article")
    description.fill("Lot LOT-1 shows 10 doses; we counted 12.")
    page.locator("#id_attachments").set_input_files({"name": "count.csv", "mimeType": "text/csv",
                                                      "buffer": b"Lot,Doses\nLOT-1,12\n"})
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/helpdesk/submitted/")
    number = page.get_by_test_id("case-number").inner_text()
    checked(page, "the confirmation screen")
    case = Case.objects.get(number=number)
    assert case.attachments.get().name == "count.csv"
    _run_emails(queued_tasks)
    assert number in mail.outbox[-1].subject

    _agent_works(browser, live_server, agent, password, case, "info_request", "Which storage unit holds it?")
    _run_emails(queued_tasks)
    assert "Which storage unit holds it?" in mail.outbox[-1].body

    page.goto("/helpdesk/cases/")
    assert page.get_by_test_id(f"status-{number}").inner_text() == "Awaiting Information"
    checked(page, "My Lists")
    page.get_by_role("link", name=number).click()
    assert "Which storage unit holds it?" in page.get_by_test_id("case-history").inner_text()
    checked(page, "the case")
    page.get_by_label("Your reply").fill("The freezer in room 2.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(f"**/helpdesk/cases/{number}/")
    assert page.get_by_test_id("case-status").inner_text() == "In Progress"

    _agent_works(browser, live_server, agent, password, case, "resolve", "We corrected the count to 12 doses.")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    _run_emails(queued_tasks)
    resolution = mail.outbox[-1]
    assert resolution.to == [tenant_a.manager.email] and number in resolution.subject
    assert "We corrected the count to 12 doses." in resolution.body
    page.reload()
    assert page.get_by_test_id("case-status").inner_text() == "Resolved"
    checked(page, "the resolved case")


def test_a_recipient_without_an_account_files_a_case_and_gets_a_number(browser, live_server, db):
    context = browser.new_context(base_url=live_server.url, locale="es-US", viewport=PHONE)
    page = context.new_page()
    page.goto("/helpdesk/recipient/new/")
    assert page.locator("html").get_attribute("lang") == "es"
    checked(page, "the recipient form")
    page.locator("#id_requester_name").fill("Rosa Díaz")
    page.locator("#id_requester_phone").fill("(919) 555-0100")
    page.locator("#id_request_type").select_option("vaccine_record")
    page.locator("#id_description").fill("Falta mi segunda dosis.")
    page.locator("form.usa-form button[type=submit]").click()
    page.wait_for_url("**/helpdesk/submitted/")
    number = page.get_by_test_id("case-number").inner_text()
    checked(page, "the confirmation screen")
    case = Case.objects.get(number=number)
    assert (case.requester_phone, case.language, case.requester) == ("9195550100", "es", None)
    context.close()
