"""Steps several browser tests take the same way: an employer invited and its contact signed up,
an employee file uploaded with the attestation and its failed rows fixed, an emailed link read
from the development mailbox (where the real Celery worker's emails land), the registration form
filled in. Each step is what a person does on the page; the tests assert what they see."""

import csv
import io
import re
import time

from tests.browser.conftest import PHONE, assert_accessible, assert_fits

ATTESTATION = "I attest that this file lists only people who live or work in North Carolina."


def mailbox_names() -> set[str]:
    """The messages in the mailbox now, so a step can wait for the next one."""
    from cvms.core.mail import mailbox_messages

    return {m["name"] for m in mailbox_messages(limit=100_000)}


def emailed_link(old_messages: set[str], to: str, pattern: str, *, tries: int = 150) -> str:
    """The site-relative path of the first link matching ``pattern`` in a new message to ``to``
    (the worker's SITE_URL is not the live server's)."""
    from cvms.core.mail import mailbox_message, mailbox_messages

    for _ in range(tries):
        for summary in mailbox_messages():
            if summary["name"] not in old_messages and to in summary["to"]:
                found = re.search(pattern, mailbox_message(summary["name"])["text"])
                if found:
                    return re.sub(r"^https?://[^/]+", "", found.group(0))
        time.sleep(0.2)
    raise AssertionError(f"no email to {to} with a link like {pattern} arrived")


def on_a_phone(page, where: str = "") -> None:
    """The page fits a 390 px phone and passes axe there too."""
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    assert_fits(page, where)
    assert_accessible(page)
    page.set_viewport_size(desktop)


def tick(page, checkbox) -> None:
    """USWDS hides the real checkbox and styles its label: click the label, as a person does."""
    page.locator(f'label[for="{checkbox.get_attribute("id")}"]').click()
    assert checkbox.is_checked()


def invite_employer(page, *, name: str, county: str, industry: str, first: str, last: str, email: str,
                    language: str = "en") -> None:
    """On the invite page of a health department's staff member: invite an employer and its contact."""
    page.get_by_label("Organization name").fill(name)
    page.get_by_label("County").select_option(county)
    page.get_by_label("Industry").select_option(industry)
    invite_coordinator(page, first=first, last=last, email=email, language=language)


def invite_coordinator(page, *, first: str, last: str, email: str, language: str = "en") -> None:
    page.get_by_label("Contact's first name").fill(first)
    page.get_by_label("Contact's last name").fill(last)
    page.get_by_label("Contact's email").fill(email)
    page.get_by_label("Language of the invitation email").select_option(language)
    page.get_by_role("button", name="Send invitation").click()


def open_invitation(page, link: str) -> None:
    """The invited contact opens the emailed link, signed out."""
    page.context.clear_cookies()
    page.goto(link)
    assert_accessible(page)


def create_account(page, *, first: str, last: str, password: str, lands: str = "**/organization/") -> None:
    """On the invitation's page: the contact creates their account and lands in the portal (``lands``)."""
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.locator('[name="password1"]').fill(password)
    page.locator('[name="password2"]').fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(lands)


def upload_employees(page, path, *, volume: str) -> None:
    """On an employer's Employees page: send ``path`` through the Low or High Volume form with
    the attestation ticked (the low volume form then shows its review)."""
    form = page.get_by_test_id(f"{volume}-volume-form")
    form.locator("input[type=file]").set_input_files(str(path))
    tick(page, form.get_by_label(ATTESTATION))
    form.get_by_role("button", name="Upload file" if volume == "high" else "Review file").click()


def failed_rows(page) -> list[list[str]]:
    """On an upload's page: download the failed records as CSV and read them (header first)."""
    with page.expect_download() as download:
        page.get_by_test_id("failed-csv").click()
    return list(csv.reader(open(download.value.path(), encoding="utf-8-sig")))  # noqa: SIM115


def fixed_file(path, rows: list[list[str]], fixes: list[list[str]]) -> None:
    """The failed records file as a person fixes it: the Error column deleted, each row replaced
    by its fix (its first columns)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0][:-1])
    for row, fix in zip(rows[1:], fixes, strict=True):
        writer.writerow([*fix, *row[len(fix):-1]])
    path.write_text(out.getvalue())


def _choose(page, name: str, value: str) -> None:
    page.locator(f'input[name="{name}"][value="{value}"] + label').click()


def registration_form_fill(page, *, phone: str = "919.555.0100", pregnant: str = "unsaid") -> None:
    """The COVID-19 Vaccination Registration form filled in as a person does (the names, date of
    birth and email come filled in from the record), not saved yet."""
    page.get_by_label("Sex").select_option("F")
    _choose(page, "race", "2054-5")
    page.get_by_label("Ethnicity").select_option("2186-5")
    page.get_by_label("Street address").fill("1 Moon Way")
    page.locator("[name=city]").fill("Raleigh")
    page.locator("[name=state]").fill("NC")
    page.get_by_label("ZIP code").fill("27601")
    county = page.locator("[name=county]")
    if county.evaluate("el => el.tagName") == "SELECT":
        county.select_option("Wake")
    else:
        county.fill("Wake")
    page.locator("[name=phone]").fill(phone)
    page.get_by_label("Industry").select_option("healthcare")
    for question in ("severe_allergy", "pregnant", "bleeding_disorder", "immunocompromised", "recent_covid",
                     "recent_vaccine"):
        _choose(page, question, "no")
    _choose(page, "pregnant", pregnant)
