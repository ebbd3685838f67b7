"""One resident's whole journey on a phone, in English and again in Spanish: vaccinated at a walk-in,
they get the welcome email, set a password from it, complete the registration form (name and birth
date locked by the dose), answer Find My Group and see their group, switch to text messages through
the portal's navigation, download the PDF and the SMART Health Card file, and a venue, signed out,
checks the card on the public verify page. Every page passes axe and fits a 390 px window; in
Spanish every page, the email, the PDF and the verify page's result read in Spanish."""

import datetime
import io
import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.utils import timezone

from cvms.eligibility.tests.helpers import nc_groups
from cvms.immunizations import choices as ic
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients import choices as c
from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory
from cvms.recipients.welcome import welcome_emails_queue_due, welcome_emails_send
from tests.browser.conftest import PHONE, assert_accessible, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-strong-pass-2021"
LOT = "JRN0417"
BIRTH_DATE = datetime.date(1985, 5, 2)
SEND_WELCOME = "cvms.recipients.tasks.send_welcome_emails"


@dataclass(frozen=True)
class Language:
    code: str
    browser_locale: str
    #: Words that only a page in this language shows, per step of the walk.
    email_subject: str
    welcome: str
    registration: str
    locked: str
    questions: str
    group: str
    home: str
    preferences: str
    saved: str
    texts: str
    pdf: str
    #: How a date in figures reads (the project's own short date format for the language).
    day: str
    verify: str
    valid: str


ENGLISH = Language(
    code="en", browser_locale="en-US", email_subject="COVID-19 Vaccine Portal", welcome="Create your password",
    registration="COVID-19 Vaccination Registration", locked="cannot be changed here", questions="Find My Group",
    group="Group 3", home="Your COVID-19 vaccinations", preferences="How should we contact you?",
    saved="Your contact details and preferences are saved.", texts="Text message",
    pdf="COVID-19 Vaccination Record", day="%m/%d/%Y", verify="Verify a SMART Health Card", valid="Valid card")
SPANISH = Language(
    code="es", browser_locale="es-US", email_subject="Portal de Vacunas contra el COVID-19",
    welcome="Cree su contraseña", registration="Registro para la Vacunación contra el COVID-19",
    locked="no se pueden cambiar aquí", questions="Encontrar Mi Grupo", group="Grupo 3",
    home="Sus vacunas contra el COVID-19", preferences="¿Cómo debemos contactarle?",
    saved="Sus datos de contacto y preferencias están guardados.", texts="Mensaje de texto",
    pdf="Registro de vacunación contra el COVID-19", day="%d/%m/%Y", verify="Verificar una SMART Health Card",
    valid="Tarjeta válida")


def _checked(page, language: Language, words: str, where: str) -> None:
    """The page is in the walk's language, says ``words``, passes axe and fits the phone."""
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language.code, where
    assert words in page.locator("main").inner_text(), f"{where}: {words!r} not on {page.url}"
    assert_accessible(page)
    assert_fits(page, where)


def _choose(page, name: str, value: str) -> None:
    page.locator(f'input[name="{name}"][value="{value}"] + label').click()


def _vaccinated_at_a_walk_in(tenant, language: Language) -> Recipient:
    resident = RecipientFactory(first_name="Lucia", last_name="Journey", date_of_birth=BIRTH_DATE,
                                email="lucia@example.com", source=c.RecipientSource.WALK_IN,
                                preferred_language=language.code, user=None)
    lot = lot_receive(location=tenant.location, product=VaccineProductFactory(cvx="217", display_name="Pfizer 12+"),
                      lot_number=LOT, expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    immunization_record(recipient=resident, lot=lot, dose_number=1, site=ic.Site.LEFT_ARM,
                        given_by=tenant.vaccinator)
    return resident


def _welcome_link(language: Language, queued_tasks) -> str:
    """What the beat task and the worker do: queue the welcome emails a dose made due, send them."""
    mail.outbox.clear()
    assert welcome_emails_queue_due() == 1
    for _name, args, _kwargs in [task for task in queued_tasks if task[0] == SEND_WELCOME]:
        welcome_emails_send(recipient_ids=args[0])
    (message,) = mail.outbox
    assert message.to == ["lucia@example.com"] and language.email_subject in message.subject
    assert f'<html lang="{language.code}">' in message.alternatives[0][0]
    return re.search(r"https?://\S+(/recipient/welcome/\S+/)", message.body).group(1)


def _register(page, language: Language) -> None:
    page.wait_for_url("**/recipient/registration/")
    _checked(page, language, language.locked, "the registration form")
    assert page.locator("[name=last_name]").is_disabled() and page.locator("[name=date_of_birth]").is_disabled()
    page.locator("[name=sex]").select_option("F")
    _choose(page, "race", "2054-5")
    page.locator("[name=ethnicity]").select_option("2135-2")
    page.locator("[name=address_line1]").fill("12 Oak Street")
    page.locator("[name=city]").fill("Raleigh")
    page.locator("[name=state]").fill("NC")
    page.locator("[name=zip_code]").fill("27601")
    county = page.locator("[name=county]")
    if county.evaluate("el => el.tagName") == "SELECT":
        county.select_option("Wake")
    else:
        county.fill("Wake")
    page.locator("[name=industry]").select_option("retail")
    for question in ("severe_allergy", "pregnant", "bleeding_disorder", "immunocompromised", "recent_covid",
                     "recent_vaccine"):
        _choose(page, question, "no")
    page.get_by_test_id("registration-save").click()


def _find_my_group(page, language: Language) -> None:
    page.wait_for_url("**/recipient/my-group/questions/")
    _checked(page, language, language.questions, "Find My Group's questions")
    _choose(page, "industry", "retail")
    _choose(page, "living_setting", "home")
    page.get_by_test_id("group-questions").locator("button[type=submit]").click()
    page.wait_for_url("**/recipient/my-group/")
    _checked(page, language, language.group, "Find My Group's result")
    result = page.get_by_test_id("group-result")
    assert result.get_attribute("data-group") == "3" and result.get_attribute("data-open") == "true"


def _prefer_texts(page, language: Language) -> None:
    page.get_by_test_id("recipient-nav").locator("a[href$='/recipient/preferences/']").click()
    page.wait_for_url("**/recipient/preferences/")
    _checked(page, language, language.preferences, "the preferences")
    page.locator("[name=phone]").fill("(919) 555-0100")
    page.locator("[name=contact_preference]").select_option("text")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/recipient/")
    _checked(page, language, language.saved, "the portal after saving")
    record = page.get_by_test_id("recipient-record").inner_text()
    assert "(919) 555-0100" in record and language.texts in record


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    with open(path, "rb") as pdf:
        return " ".join(" ".join(part.extract_text().split()) for part in PdfReader(io.BytesIO(pdf.read())).pages)


def _downloads(page, language: Language, tmp_path):
    _checked(page, language, language.home, "the portal with its card links")
    with page.expect_download() as pdf:
        page.get_by_test_id("health-card-pdf").click()
    text = _pdf_text(pdf.value.path())
    assert language.pdf in text and LOT in text and "Journey" in text
    # The page and the PDF write the birth date and the dose's day the same way, the language's way.
    days = [BIRTH_DATE.strftime(language.day), timezone.localdate().strftime(language.day)]
    shown = page.get_by_test_id("recipient-record").inner_text() + page.get_by_test_id("vaccinations").inner_text()
    assert [day for day in days if day not in shown or day not in text] == [], (days, shown)
    with page.expect_download() as card:
        page.get_by_test_id("health-card-file").click()
    saved = tmp_path / card.value.suggested_filename
    card.value.save_as(saved)
    return saved


def _venue_verifies(browser, live_server, language: Language, card) -> None:
    venue = browser.new_context(base_url=live_server.url, locale=language.browser_locale, viewport=PHONE)
    page = venue.new_page()
    page.set_default_timeout(15_000)
    page.goto("/recipient/verify/")
    _checked(page, language, language.verify, "the verify page")
    page.locator("input[type=file]").set_input_files(str(card))
    page.locator("form[data-verify-form] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=language.valid).is_visible()
    assert "Lucia Journey" in page.locator("main").inner_text() and LOT in page.get_by_role("table").inner_text()
    _checked(page, language, language.valid, "the verify page's result")
    venue.close()


@pytest.mark.parametrize("language", [ENGLISH, SPANISH], ids=["english", "spanish"])
def test_a_walk_in_resident_goes_from_the_welcome_email_to_a_verified_card_on_a_phone(
        browser, live_server, tenant_a, queued_tasks, tmp_path, language):
    nc_groups()
    resident = _vaccinated_at_a_walk_in(tenant_a, language)
    link = _welcome_link(language, queued_tasks)

    context = browser.new_context(base_url=live_server.url, locale=language.browser_locale, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(link)
    _checked(page, language, language.welcome, "the welcome link")
    page.locator("[name=password1]").fill(NEW_PASSWORD)
    page.locator("[name=password2]").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()

    _register(page, language)
    _find_my_group(page, language)
    _prefer_texts(page, language)
    card = _downloads(page, language, tmp_path)
    context.close()
    _venue_verifies(browser, live_server, language, card)

    resident.refresh_from_db()
    assert resident.registered_at is not None and resident.user is not None
    assert (resident.phone, resident.contact_preference) == ("9195550100", c.ContactPreference.TEXT)
