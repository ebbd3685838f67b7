"""The Provider Enrollment Portal end to end, as people use it: an administrator signs up and
enrolls two locations, the state returns the agreement, the administrator fixes and resubmits,
the state approves, and a location's coordinator registers from the invitation email and lands
in the Provider Portal for that location."""

import re
import uuid

import pytest
from django.core import mail

from cvms.core.mail import mailbox_message, mailbox_messages
from cvms.organizations.models import Location
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# allauth allows one confirmation email per address every few minutes, counted in Redis, which
# outlives a test run: each run signs up a new address.
ADMIN = f"grace.{uuid.uuid4().hex[:8]}@example.com"
PASSWORD = "Sound-Harbor-2021!"
CONDITION_COUNT = 10


def _fill(page, values: dict):
    for name, value in values.items():
        field = page.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _tick(page, checkbox):
    """USWDS hides the real checkbox and styles its label: click the label, as a person does."""
    page.locator(f'label[for="{checkbox.get_attribute("id")}"]').click()
    assert checkbox.is_checked()


def _person(prefix, tag, title="Director"):
    return {f"{prefix}-first_name": tag.title(), f"{prefix}-last_name": "Tester", f"{prefix}-title": title,
            f"{prefix}-email": f"{tag}@example.com", f"{prefix}-phone": "919-555-0100"}


def _sign_up_and_verify(page):
    page.goto("/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/confirm-email/")
    assert_accessible(page)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    sign_in(page, ADMIN, PASSWORD)


def _add_location(page, name, county, tag):
    page.get_by_role("link", name="Add a location").click()
    assert_accessible(page)
    _fill(page, {"name": name, "location_type": "medical_practice", "address_line1": "2 Oak St",
                 "city": "Raleigh", "state": "NC", "zip_code": "27601", "county": county, "phone": "9195550111",
                 "hours": "Mon–Fri 8–5", "population_served": "800", "units-0-name": "Fridge 1",
                 "units-0-kind": "refrigerator", "units-0-min_temp_c": "2", "units-0-max_temp_c": "8",
                 **_person("primary_coordinator", f"{tag}-primary"), **_person("backup_coordinator", f"{tag}-backup")})
    _tick(page, page.locator('[name="units-0-has_data_logger"]'))
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/agreements/*/")


def _sign_and_submit(page):
    page.get_by_role("link", name="Review and submit").click()
    assert_accessible(page)
    page.get_by_label("Your full name").fill("Grace Admin")
    page.get_by_label("Your title").fill("Chief Operating Officer")
    _tick(page, page.locator('[name="attested"]'))
    page.get_by_role("button", name="Sign and submit").click()
    page.wait_for_url("**/agreements/*/")
    assert page.get_by_test_id("version-status").text_content().strip() == "Submitted for review"
    assert_accessible(page)


def _decide(page, state_reviewer, decision, comments=""):
    page.context.clear_cookies()
    sign_in(page, state_reviewer.email, "correct-horse-battery-9")
    page.goto("/enroll/review/")
    assert_accessible(page)
    page.get_by_role("link", name="Grace Family Medicine").click()
    assert_accessible(page)
    page.get_by_text(decision, exact=True).click()
    page.get_by_label("Comments to the organization").fill(comments)
    page.get_by_role("button", name="Record decision").click()
    page.get_by_role("status").first.wait_for()
    assert_accessible(page)


def _invitation_link(email_address, old_messages):
    for summary in mailbox_messages():
        if summary["name"] in old_messages:
            continue
        if email_address in summary["to"] and "invited to register" in summary["subject"]:
            return re.search(r"https?://\S+/accounts/invitation/\S+/", mailbox_message(summary["name"])["text"])
    return None


def test_enroll_return_resubmit_approve_and_coordinator_registers(page, state_reviewer, celery_worker_process):
    _sign_up_and_verify(page)
    page.wait_for_url("**/")
    assert page.get_by_test_id("getting-started").is_visible()  # no role yet: what they can do
    assert_accessible(page)
    page.goto("/enroll/")
    assert_accessible(page)
    page.get_by_role("link", name="Start a new enrollment").click()
    assert_accessible(page)
    page.get_by_label("Organization legal name").fill("Grace Family Medicine")
    # The type left untouched is no answer: the form says so, naming the field.
    assert page.get_by_label("Organization type").input_value() == ""
    page.get_by_role("button", name="Start").click()
    assert "Organization type: This field is required." in page.get_by_role("alert").all_inner_texts()
    assert_accessible(page)
    page.get_by_label("Organization type").select_option("private_practice")
    page.get_by_role("button", name="Start").click()

    # Section A: save part of it as a draft, come back later, finish it.
    page.wait_for_url("**/section-a/")
    assert_accessible(page)
    _fill(page, {"address_line1": "9 Elm St", "city": "Raleigh", "state": "NC", "zip_code": "27601"})
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/agreements/*/")
    assert "Section A: County is required." in page.get_by_test_id("problems").inner_text()
    page.get_by_role("link", name="Edit Section A").click()
    assert page.locator('[name="city"]').input_value() == "Raleigh"
    page.get_by_role("button", name="Save and continue").click()
    assert "County is required." in page.get_by_test_id("error-summary").inner_text()
    assert_accessible(page)
    _fill(page, {"county": "Wake", "phone": "9195550100", **_person("cmo", "doc", "Medical Director"),
                 **_person("ceo", "boss", "CEO"), **_person("primary_coordinator", "org-primary"),
                 **_person("backup_coordinator", "org-backup")})
    boxes = page.get_by_test_id("conditions").locator("input[type=checkbox]")
    assert boxes.count() == CONDITION_COUNT
    for index in range(CONDITION_COUNT):
        _tick(page, boxes.nth(index))
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/agreements/*/")

    # Section B: two locations.
    _add_location(page, "Grace North", "Wake", "north")
    _add_location(page, "Grace South", "Johnston", "south")
    assert page.get_by_test_id("draft-locations").get_by_role("row").count() == 2
    _sign_and_submit(page)

    # The state returns it; the administrator sees why, fixes it and resubmits.
    _decide(page, state_reviewer, "Return for changes", "Grace South needs a back-up phone that is not the main line.")
    page.context.clear_cookies()
    sign_in(page, ADMIN, PASSWORD)
    page.goto("/enroll/")
    page.get_by_role("link", name="Grace Family Medicine").click()
    assert "Grace South needs a back-up phone" in page.get_by_test_id("returned-comments").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Grace South").click()
    assert page.locator('[name="backup_coordinator-email"]').input_value() == "south-backup@example.com"  # kept
    _fill(page, {"backup_coordinator-phone": "9195550177"})
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/agreements/*/")
    _sign_and_submit(page)

    # The state approves: both locations get a Provider PIN and their coordinators an invitation.
    old_messages = {m["name"] for m in mailbox_messages(limit=100_000)}
    _decide(page, state_reviewer, "Approve")
    assert page.get_by_test_id("version-status").text_content().strip() == "Approved"
    north = Location.objects.get(name="Grace North")
    assert north.is_active and re.fullmatch(r"NCA\d{6}", north.provider_pin)
    history = page.get_by_test_id("history").inner_text()
    for step in ("Enrollment started", "Signed and submitted", "Returned for changes", "Corrected and resubmitted",
                 "Approved"):
        assert step in history

    # The location's coordinator follows the invitation, registers and lands at the location.
    page.context.clear_cookies()
    link = None
    for _ in range(100):
        link = _invitation_link("north-primary@example.com", old_messages)
        if link:
            break
        page.wait_for_timeout(200)
    assert link, "the invitation email never arrived"
    page.goto(re.sub(r"^https?://[^/]+", "", link.group(0)))  # the worker's SITE_URL is not the live server
    assert page.get_by_test_id("invited-email").inner_text() == "north-primary@example.com"
    assert_accessible(page)
    _fill(page, {"first_name": "Nina", "last_name": "North", "password1": PASSWORD, "password2": PASSWORD})
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/provider/")
    assert north.provider_pin in page.content()
    assert_accessible(page)
    page.get_by_role("row").filter(has_text=north.provider_pin).get_by_role("link").first.click()
    assert page.get_by_test_id("provider-pin").inner_text() == north.provider_pin
    assert_accessible(page)
