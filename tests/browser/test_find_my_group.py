"""Find My Group on a phone's screen: a recipient follows the home page's link, answers the
questions and sees her group being vaccinated now; a Spanish speaker answers in Spanish, is told
her group is not open yet, gets the email in Spanish when the state opens it and follows it to her
group, now open. Every page passes axe and fits a 390 px window."""

import pytest
from django.core import mail

from cvms.eligibility.models import VaccineGroup
from cvms.eligibility.services import group_open
from cvms.eligibility.tests.helpers import nc_groups
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK = "cvms.eligibility.tasks.send_group_opened_emails"


def _checked(page, where: str) -> None:
    assert_accessible(page)
    assert_fits(page, where)


def _answer(page, *, industry: str, living_setting: str, where: str) -> None:
    page.get_by_test_id("group-link").click()
    page.wait_for_url("**/recipient/my-group/questions/")
    _checked(page, f"{where}: questions")
    page.locator(f'input[name="industry"][value="{industry}"] + label').click()
    page.locator(f'input[name="living_setting"][value="{living_setting}"] + label').click()
    page.get_by_test_id("group-questions").locator("button[type=submit]").click()
    page.wait_for_url("**/recipient/my-group/")
    _checked(page, f"{where}: result")


def test_a_recipient_finds_her_group_on_a_phone_then_in_spanish_hears_when_it_opens(page, tenant_a, tenant_b,
                                                                                    password, queued_tasks):
    nc_groups()
    page.set_viewport_size(PHONE)
    mail.outbox.clear()

    sign_in(page, tenant_a.recipient_user.email, password)
    page.goto("/recipient/")
    _answer(page, industry="retail", living_setting="home", where="English")
    result = page.get_by_test_id("group-result")
    assert result.get_attribute("data-group") == "3" and result.get_attribute("data-open") == "true"
    assert "Group 3 is being vaccinated now" in result.inner_text().replace(": Frontline essential workers", "")

    page.context.clear_cookies()
    for record in (tenant_b.recipient, tenant_b.recipient_user):
        record.preferred_language = "es"
        record.save(update_fields=["preferred_language"])
    sign_in(page, tenant_b.recipient_user.email, password)
    page.goto("/recipient/")
    assert page.locator("html").get_attribute("lang") == "es"
    _answer(page, industry="none", living_setting="home", where="Spanish")
    result = page.get_by_test_id("group-result")
    assert result.get_attribute("data-group") == "5" and result.get_attribute("data-open") == "false"
    assert "Grupo 5" in result.inner_text()

    group_open(group=VaccineGroup.objects.get(order=5), actor=None)
    from cvms.eligibility.tasks import send_group_opened_emails

    for _name, args, _kwargs in [t for t in queued_tasks if t[0] == TASK]:
        send_group_opened_emails.run(*args)
    (message,) = mail.outbox
    assert message.to == [tenant_b.recipient.email] and "Grupo 5" in message.subject
    assert '<html lang="es">' in message.alternatives[0][0]
    page.goto("/recipient/my-group/")
    assert page.get_by_test_id("group-result").get_attribute("data-open") == "true"
    _checked(page, "Spanish: open")
