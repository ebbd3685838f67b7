"""The help desk from start to finish in the browser (issue 15's "Done when"): a provider registers
with a Provider PIN, receives the Help Desk user ID and a temporary password by email, is made to
choose a permanent password, starts a case and sees a suggested article while typing, files it with
a file and gets a number and an email; an agent in admin asks for information; the provider replies
in My Lists; the agent resolves it and the provider is emailed the resolution. A real Celery worker
sends every email, on a phone-sized screen."""

import re
import time

import pytest

from cvms.core.mail import mailbox_message, mailbox_messages
from cvms.organizations.tests.factories import LocationFactory
from helpdesk.models import Case, CaseStatus
from helpdesk.tests.factories import KnowledgeArticleFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "robin.hale@oakclinic.example"
PERMANENT = "Juniper-Lantern-Meadow-58"


def checked(page, where=""):
    assert_accessible(page)
    assert_fits(page, where)


def _email(seen: set, containing: str) -> dict:
    """The first new email to the provider whose subject or text holds ``containing``."""
    for _ in range(150):
        for summary in mailbox_messages():
            if summary["name"] not in seen and EMAIL in summary["to"]:
                message = mailbox_message(summary["name"])
                if containing in message["subject"] or containing in message["text"]:
                    seen.add(summary["name"])
                    return message
        time.sleep(0.2)
    raise AssertionError(f"no email to {EMAIL} with {containing!r} arrived")


def _accept_terms(page):
    if not page.get_by_label("I accept the terms and conditions").is_checked():
        page.locator("label.usa-checkbox__label", has_text="I accept the terms").click()  # USWDS draws the box there


def _register_and_choose_a_permanent_password(page, seen):
    LocationFactory(provider_pin="NCA650001", name="Oak Clinic")
    page.goto("/helpdesk/")
    assert page.get_by_test_id("helpdesk-tiles").is_visible()
    checked(page, "the help desk home")
    page.get_by_role("link", name="Register").first.click()
    checked(page, "Register")

    # A wrong code is refused, naming the field.
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Hale")
    page.get_by_label("Business email").fill(EMAIL)
    page.get_by_label("Registration code").fill("NCA999999")
    _accept_terms(page)
    page.get_by_role("button", name="Register").click()
    wait_for_text(page, "not a Provider PIN of an enrolled location")
    assert_accessible(page)

    page.get_by_label("Registration code").fill("nca 650001")
    _accept_terms(page)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/helpdesk/register/sent/")
    assert_accessible(page)

    temporary = re.search(r"Temporary password:\s*(\S+)", _email(seen, "Temporary password")["text"]).group(1)
    sign_in(page, EMAIL, temporary)
    page.wait_for_url("**/accounts/password/permanent/")
    page.goto("/helpdesk/")  # nothing else opens before the permanent password
    page.wait_for_url("**/accounts/password/permanent/")
    checked(page, "the permanent password")
    page.locator('[name="password1"]').fill(PERMANENT)
    page.locator('[name="password2"]').fill(PERMANENT)
    page.get_by_role("button", name="Save permanent password").click()
    page.wait_for_url("**/helpdesk/")
    assert "Your permanent password is set" in page.content()
    assert page.get_by_test_id("helpdesk-tiles").is_visible()


def _file_a_case(page, seen) -> str:
    KnowledgeArticleFactory(slug="count-differs", audience="provider",
                            title_en="What if the doses we count differ from the inventory?",
                            body_en="Record an adjustment with its reason, or ask the Help Desk.",
                            title_es="¿Y si las dosis contadas no coinciden con el inventario?",
                            body_es="Registre un ajuste con su motivo, o consulte a la Mesa de Ayuda.")
    page.locator("[data-tile=provider]").get_by_role("link", name="Get help").click()
    page.wait_for_url("**/helpdesk/provider/new/")
    assert page.get_by_test_id("default-organization").input_value() == "Generic Vaccine Provider"
    checked(page, "Get Help")
    page.get_by_label("Organization name").fill("Oak Clinic Group")
    page.get_by_label("Request type").select_option(label="Inventory")
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
    assert Case.objects.get(number=number).attachments.get().name == "count.csv"
    assert number in _email(seen, number)["subject"]
    return number


def _agent_works(browser, live_server, agent, password, number, work, text):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    admin = context.new_page()
    sign_in(admin, agent.email, password)
    admin.goto(f"/admin/helpdesk/case/{Case.objects.get(number=number).pk}/change/")
    admin.get_by_label("Work on the case").select_option(work)
    admin.locator("#id_text").fill(text)
    admin.get_by_role("button", name="Save", exact=True).click()
    admin.wait_for_url("**/admin/helpdesk/case/")
    context.close()


def test_a_provider_registers_files_a_case_replies_when_asked_and_is_emailed_the_resolution(
        page, browser, live_server, agent, password, celery_worker_process, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    page.set_viewport_size(PHONE)
    seen = {m["name"] for m in mailbox_messages(limit=100_000)}
    _register_and_choose_a_permanent_password(page, seen)
    number = _file_a_case(page, seen)

    _agent_works(browser, live_server, agent, password, number, "info_request", "Which storage unit holds it?")
    _email(seen, "Which storage unit holds it?")
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

    _agent_works(browser, live_server, agent, password, number, "resolve", "We corrected the count to 12 doses.")
    assert Case.objects.get(number=number).status == CaseStatus.RESOLVED
    resolution = _email(seen, "We corrected the count to 12 doses.")
    assert number in resolution["subject"]
    page.reload()
    assert page.get_by_test_id("case-status").inner_text() == "Resolved"
    checked(page, "the resolved case")


def test_a_provider_page_shows_the_downtime_banner_during_a_notice(page):
    import datetime

    from django.core.cache import cache
    from django.utils import timezone

    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant
    from cvms.accounts.tests.factories import PASSWORD, UserFactory
    from cvms.core.downtime import downtime_notice_create

    clinic = LocationFactory(provider_pin="NCA650003", name="Birch Clinic")
    manager = UserFactory(email="lee.manager@birchclinic.example")
    membership_grant(user=manager, role=Role.LOCATION_MANAGER, location=clinic)
    cache.clear()
    now, hour = timezone.now(), datetime.timedelta(hours=1)
    downtime_notice_create(actor=None, notice_from=now - hour, starts_at=now + 24 * hour, ends_at=now + 27 * hour,
                           message_en="Inventory pages will be read-only.", message_es="Inventario solo de lectura.")
    page.set_viewport_size(PHONE)
    sign_in(page, manager.email, PASSWORD)
    page.goto("/provider/")
    banner = page.get_by_test_id("downtime-banner")
    assert "Inventory pages will be read-only." in banner.inner_text()
    assert_accessible(page)
    assert_fits(page)
