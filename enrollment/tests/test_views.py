import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cvms.organizations import choices as rc
from enrollment import selectors
from enrollment.conditions import CONDITION_CODES
from enrollment.models import AgreementVersion, VersionStatus
from enrollment.services import drafting
from enrollment.tests.factories import add_location, approved_agreement, complete_version, fill_section_a, sign


@pytest.fixture
def agreement(new_admin):
    return drafting.agreement_start(user=new_admin, legal_name="Coastal Family Practice",
                                    provider_type=rc.ProviderType.PRIVATE_PRACTICE)


@pytest.fixture
def admin_client(client, new_admin):
    client.force_login(new_admin)
    return client


def _contact(prefix, tag, title="Director"):
    return {f"{prefix}-first_name": tag.title(), f"{prefix}-last_name": "Person", f"{prefix}-title": title,
            f"{prefix}-email": f"{tag}@example.com", f"{prefix}-phone": "(919) 555-0100"}


def section_a_data(**overrides):
    data = {"legal_name": "Coastal Family Practice", "provider_type": "private_practice",
            "address_line1": "1 Shore Rd", "city": "Wilmington", "state": "nc", "zip_code": "28401",
            "county": "New Hanover", "phone": "910-555-0100", "conditions": CONDITION_CODES,
            **_contact("cmo", "doc"), **_contact("ceo", "boss"), **_contact("primary_coordinator", "pc"),
            **_contact("backup_coordinator", "bc")}
    data.update(overrides)
    return data


def location_data(name="Shore Clinic", **overrides):
    data = {"name": name, "location_type": "medical_practice", "address_line1": "2 Shore Rd", "city": "Wilmington",
            "state": "NC", "zip_code": "28401", "county": "New Hanover", "phone": "9105550111",
            "hours": "Mon–Fri 8–5", "population_served": "900",
            "units-TOTAL_FORMS": "1", "units-INITIAL_FORMS": "0", "units-MIN_NUM_FORMS": "0",
            "units-MAX_NUM_FORMS": "20", "units-0-name": "Fridge", "units-0-kind": "refrigerator",
            "units-0-min_temp_c": "2", "units-0-max_temp_c": "8", "units-0-has_data_logger": "on",
            **_contact("primary_coordinator", f"{name.split()[0].lower()}-primary"),
            **_contact("backup_coordinator", f"{name.split()[0].lower()}-backup")}
    data.update(overrides)
    return data


# --- Home and start

def test_anyone_signed_in_may_start_an_enrollment(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("enrollment:home"))
    assert response.status_code == 200 and "Start a new enrollment" in response.content.decode()
    response = client.post(reverse("enrollment:start"), {"legal_name": "New Clinic", "provider_type": "pharmacy"})
    version = AgreementVersion.objects.get(legal_name="New Clinic")
    assert response.status_code == 302 and response.url == reverse("enrollment:section_a", args=[version.agreement_id])
    assert [a.organization.name for a, _v in client.get(reverse("enrollment:home")).context["agreements"]] == [
        "New Clinic"]


def test_start_without_a_name_says_which_field(client, outsider):
    client.force_login(outsider)
    response = client.post(reverse("enrollment:start"), {"legal_name": "", "provider_type": "pharmacy"})
    assert response.status_code == 200
    assert "Organization legal name: This field is required." in response.content.decode()


def test_home_anonymous_is_sent_to_sign_in_and_post_is_405(client, outsider):
    assert client.get(reverse("enrollment:home")).status_code == 302
    client.force_login(outsider)
    assert client.post(reverse("enrollment:home")).status_code == 405


def test_admin_sees_only_own_agreements(client, new_admin, agreement, tenant_b):
    client.force_login(tenant_b.org_admin)
    assert list(client.get(reverse("enrollment:home")).context["agreements"]) == []


# --- Section A and B

def test_section_a_draft_saves_incomplete_data(admin_client, agreement):
    response = admin_client.post(reverse("enrollment:section_a", args=[agreement.pk]),
                                 {"legal_name": "Coastal Family Practice", "city": "Wilmington", "draft": "1"})
    assert response.status_code == 302
    assert AgreementVersion.objects.get(agreement=agreement).city == "Wilmington"


def test_section_a_continue_names_every_missing_field(admin_client, agreement):
    response = admin_client.post(reverse("enrollment:section_a", args=[agreement.pk]),
                                 {"legal_name": "Coastal Family Practice", "continue": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Street address is required." in body
    assert "Chief medical officer (or equivalent): email is required." in body
    assert "Acknowledge every condition of the agreement." in body


def test_section_a_refuses_a_bad_phone_and_email(admin_client, agreement):
    response = admin_client.post(reverse("enrollment:section_a", args=[agreement.pk]),
                                 section_a_data(phone="555-01", **{"cmo-email": "doc@"}))
    body = response.content.decode()
    assert "Organization phone: Enter 10 digits, for example 9195555555." in body
    assert "Email: Enter a valid email address." in body
    assert AgreementVersion.objects.get(agreement=agreement).phone == ""  # nothing saved


def test_section_a_complete_is_saved_clean(admin_client, agreement):
    response = admin_client.post(reverse("enrollment:section_a", args=[agreement.pk]),
                                 {**section_a_data(), "continue": "1"})
    assert response.status_code == 302
    version = AgreementVersion.objects.get(agreement=agreement)
    assert (version.phone, version.state) == ("9105550100", "NC")
    assert selectors.section_a_problems(version) == []


def test_location_with_unit_and_coordinators_is_complete(admin_client, agreement):
    response = admin_client.post(reverse("enrollment:location_new", args=[agreement.pk]),
                                 location_data(**{"continue": "1"}))
    assert response.status_code == 302
    location = AgreementVersion.objects.get(agreement=agreement).locations.get()
    assert location.storage_units.get().has_data_logger
    assert selectors.location_problems(location) == []


def test_storage_unit_range_error_names_the_field(admin_client, agreement):
    response = admin_client.post(reverse("enrollment:location_new", args=[agreement.pk]),
                                 location_data(**{"units-0-min_temp_c": "8", "units-0-max_temp_c": "2"}))
    assert response.status_code == 200
    assert "Maximum °C: The maximum must be above the minimum (8 °C)." in response.content.decode()


def test_location_can_be_removed_from_a_draft(admin_client, agreement, new_admin):
    location = add_location(agreement.versions.get(), new_admin)
    response = admin_client.post(reverse("enrollment:location_remove", args=[agreement.pk, location.pk]))
    assert response.status_code == 302 and not agreement.versions.get().locations.exists()


# --- Submit

def test_submit_page_lists_what_is_missing(admin_client, agreement):
    response = admin_client.get(reverse("enrollment:submit", args=[agreement.pk]))
    assert response.status_code == 200 and "Section B: Add at least one location." in response.content.decode()


def test_sign_and_submit(admin_client, agreement, new_admin):
    complete_version(agreement.versions.get(), new_admin)
    response = admin_client.post(reverse("enrollment:submit", args=[agreement.pk]), {
        "signed_name": "Nora Admin", "signed_title": "Practice manager",
        "signed_on": timezone.localdate().strftime("%m/%d/%Y"), "attested": "on"})
    assert response.status_code == 302
    assert agreement.versions.get().status == VersionStatus.SUBMITTED


def test_sign_with_another_date_or_no_attestation_is_refused(admin_client, agreement, new_admin):
    complete_version(agreement.versions.get(), new_admin)
    response = admin_client.post(reverse("enrollment:submit", args=[agreement.pk]), {
        "signed_name": "Nora Admin", "signed_title": "Practice manager", "signed_on": "01/01/2021"})
    body = response.content.decode()
    assert "The date signed must be today&#x27;s date." in body or "Attestation: This field is required." in body
    assert agreement.versions.get().status == VersionStatus.DRAFT


# --- Permissions of each transition

def test_reviewer_cannot_edit_a_draft(client, state_reviewer, agreement):
    client.force_login(state_reviewer)
    assert client.get(reverse("enrollment:section_a", args=[agreement.pk])).status_code == 403
    assert client.post(reverse("enrollment:submit", args=[agreement.pk])).status_code == 403


def test_administrator_cannot_review_or_decide(admin_client, agreement, new_admin):
    version = sign(complete_version(agreement.versions.get(), new_admin), new_admin)
    assert admin_client.get(reverse("enrollment:review_queue")).status_code == 403
    response = admin_client.post(reverse("enrollment:decide", args=[version.pk]), {"decision": "approved"})
    assert response.status_code == 403
    assert AgreementVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED


def test_submitted_version_cannot_be_edited_by_its_administrator(admin_client, agreement, new_admin):
    sign(complete_version(agreement.versions.get(), new_admin), new_admin)
    assert admin_client.get(reverse("enrollment:section_a", args=[agreement.pk])).status_code == 404


def test_another_organizations_admin_gets_404(client, tenant_b, agreement):
    client.force_login(tenant_b.org_admin)
    for name in ("agreement", "section_a", "submit", "location_new", "redistribution"):
        assert client.get(reverse(f"enrollment:{name}", args=[agreement.pk])).status_code == 404, name


# --- State review

@pytest.fixture
def submitted(agreement, new_admin):
    return sign(complete_version(agreement.versions.get(), new_admin), new_admin)


def test_queue_lists_submissions_and_filters_by_county_and_type(client, state_reviewer, submitted):
    client.force_login(state_reviewer)
    assert [v.pk for v in client.get(reverse("enrollment:review_queue")).context["page"]] == [submitted.pk]
    for query, expected in ({"county": "wake"}, [submitted.pk]), ({"county": "Durham"}, []), (
            {"provider_type": "pharmacy"}, []), ({"status": "approved"}, []):
        page = client.get(reverse("enrollment:review_queue"), {"status": "submitted", **query}).context["page"]
        assert [v.pk for v in page] == expected, query


def test_return_without_comments_says_so(client, state_reviewer, submitted):
    client.force_login(state_reviewer)
    response = client.post(reverse("enrollment:decide", args=[submitted.pk]), {"decision": "returned"})
    assert response.status_code == 400
    assert "comments are required to return an agreement" in response.content.decode()


def test_reviewer_approves_from_the_detail_page(client, state_reviewer, submitted):
    client.force_login(state_reviewer)
    detail = client.get(reverse("enrollment:review", args=[submitted.pk]))
    assert detail.status_code == 200 and "Record decision" in detail.content.decode()
    response = client.post(reverse("enrollment:decide", args=[submitted.pk]), {"decision": "approved"})
    assert response.status_code == 302
    assert AgreementVersion.objects.get(pk=submitted.pk).status == VersionStatus.APPROVED
    assert "Record decision" not in client.get(reverse("enrollment:review", args=[submitted.pk])).content.decode()


@pytest.mark.parametrize(("decision", "spanish"), [
    ("approved", "Acuerdo aprobado. La organización y sus ubicaciones están activas."),
    ("returned", "Se devolvió a la organización para que haga cambios."),
    ("rejected", "Acuerdo rechazado."),
])
def test_reviewer_reads_the_decision_in_spanish(client, state_reviewer, submitted, decision, spanish):
    client.force_login(state_reviewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post(reverse("enrollment:decide", args=[submitted.pk]),
                           {"decision": decision, "comments": "Falta la firma."}, follow=True)
    page = response.content.decode()
    assert spanish in page and "Registrar la decisión" not in page


def test_drafts_are_not_in_review(client, state_reviewer, agreement):
    client.force_login(state_reviewer)
    assert client.get(reverse("enrollment:review", args=[agreement.versions.get().pk])).status_code == 404


# --- After approval

def test_amend_and_view_versions(admin_client, new_admin, state_reviewer):
    agreement = approved_agreement(new_admin, state_reviewer)
    response = admin_client.post(reverse("enrollment:amend", args=[agreement.pk]))
    assert response.status_code == 302 and agreement.versions.count() == 2
    fill_section_a(agreement.versions.get(number=2), new_admin, phone="9195550999")
    page = admin_client.get(reverse("enrollment:submit", args=[agreement.pk])).content.decode()
    assert "Section A — organization phone: 9195550100 → 9195550999" in page
    assert admin_client.get(reverse("enrollment:version", args=[agreement.pk, 1])).status_code == 200


def test_redistribution_agreement_needs_two_locations(admin_client, new_admin, state_reviewer):
    agreement = approved_agreement(new_admin, state_reviewer)
    locations = list(agreement.organization.locations.order_by("name"))
    url = reverse("enrollment:redistribution", args=[agreement.pk])
    sign_data = {"signed_name": "Nora Admin", "signed_title": "CEO", "attested": "on"}
    response = admin_client.post(url, {**sign_data, "locations": [locations[0].pk]})
    assert "Choose at least two locations" in response.content.decode()
    response = admin_client.post(url, {**sign_data, "locations": [loc.pk for loc in locations]})
    assert response.status_code == 302
    from cvms.organizations.selectors import redistribution_allowed

    assert redistribution_allowed(source=locations[0], destination=locations[1])


def test_redistribution_cannot_name_another_organizations_location(admin_client, new_admin, state_reviewer,
                                                                    tenant_b):
    agreement = approved_agreement(new_admin, state_reviewer)
    mine = agreement.organization.locations.first()
    response = admin_client.post(reverse("enrollment:redistribution", args=[agreement.pk]), {
        "signed_name": "N", "signed_title": "CEO", "attested": "on", "locations": [mine.pk, tenant_b.location.pk]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_organization_page_for_state_and_admin(client, tenant_a, tenant_b, state_reviewer):
    client.force_login(state_reviewer)
    assert client.get(reverse("enrollment:organization", args=[tenant_b.organization.pk])).status_code == 200
    client.force_login(tenant_b.org_admin)
    assert client.get(reverse("enrollment:organization", args=[tenant_a.organization.pk])).status_code == 404


def test_state_staff_export_enrollments_and_locations_from_admin(client, state_reviewer, submitted):
    from enrollment.admin import AgreementVersionResource, VersionLocationResource

    client.force_login(state_reviewer)
    for model in ("agreementversion", "versionlocation"):
        assert client.get(reverse(f"admin:enrollment_{model}_export")).status_code == 200, model
    assert client.get(reverse("admin:organizations_location_export")).status_code == 200
    rows = AgreementVersionResource().export().dict
    assert [(r["organization"], r["status"], r["locations"]) for r in rows] == [
        ("Coastal Family Practice", "submitted", 1)]
    assert VersionLocationResource().export().dict[0]["name"] == "Main Clinic"


def test_admin_shows_agreements_read_only(client, state_reviewer, submitted):
    client.force_login(state_reviewer)
    url = reverse("admin:enrollment_agreementversion_change", args=[submitted.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert client.post(url, {"legal_name": "Changed"}).status_code == 403


def test_continue_on_a_new_location_carries_on_at_its_own_page(admin_client, agreement):
    response = admin_client.post(reverse("enrollment:location_new", args=[agreement.pk]),
                                 {**location_data(hours=""), "continue": "1"})
    location = AgreementVersion.objects.get(agreement=agreement).locations.get()
    assert response.status_code == 302 and response.url == reverse("enrollment:location",
                                                                   args=[agreement.pk, location.pk])
    admin_client.post(response.url, {**location_data(), "units-INITIAL_FORMS": "1",
                                      "units-0-id": location.storage_units.get().pk, "continue": "1"})
    assert AgreementVersion.objects.get(agreement=agreement).locations.count() == 1  # edited, not doubled


def test_address_formats_are_checked_and_named(admin_client, agreement):
    response = admin_client.post(reverse("enrollment:section_a", args=[agreement.pk]),
                                 section_a_data(zip_code="ABCDE", state="ZZ", phone="+1 (910) 555-0100"))
    body = response.content.decode()
    assert "ZIP code: Enter a 5-digit ZIP code, or ZIP+4 such as 27601-1234." in body
    assert "State: Enter the two-letter state code, for example NC." in body
    assert "Phone" not in body.split("data-testid=\"error-summary\"")[1].split("</ul>")[0]  # +1 is accepted


def test_contact_errors_are_summarised_at_the_top(admin_client, agreement):
    response = admin_client.post(reverse("enrollment:section_a", args=[agreement.pk]),
                                 section_a_data(**{"backup_coordinator-phone": "12"}))
    summary = response.content.decode().split('data-testid="error-summary"')[1].split("</ul>")[0]
    assert "Back-up vaccine coordinator — Phone: Enter 10 digits, for example 9195555555." in summary


def test_the_same_redistribution_agreement_is_not_signed_twice(admin_client, new_admin, state_reviewer):
    agreement = approved_agreement(new_admin, state_reviewer)
    data = {"signed_name": "Nora Admin", "signed_title": "CEO", "attested": "on",
            "locations": [loc.pk for loc in agreement.organization.locations.all()]}
    url = reverse("enrollment:redistribution", args=[agreement.pk])
    assert admin_client.post(url, data).status_code == 302
    assert "already covers these locations" in admin_client.post(url, data).content.decode()
    assert agreement.organization.redistribution_agreements.count() == 1


def test_pages_nobody_may_see_explain_themselves(client, outsider, agreement, tenant_b):
    client.force_login(outsider)
    forbidden = client.get(reverse("enrollment:review_queue"))
    assert forbidden.status_code == 403 and "You do not have access to this page" in forbidden.content.decode()
    client.force_login(tenant_b.org_admin)
    missing = client.get(reverse("enrollment:agreement", args=[agreement.pk]))
    assert missing.status_code == 404 and "Page not found" in missing.content.decode()


def test_enrollment_home_reads_every_agreement_in_a_fixed_number_of_queries(admin_client, new_admin, state_reviewer):
    def queries_for_home():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(reverse("enrollment:home"))
        return len(queries), response

    approved_agreement(new_admin, state_reviewer, legal_name="One Health")
    with_one, _response = queries_for_home()
    for name in ("Two Health", "Three Health"):
        approved_agreement(new_admin, state_reviewer, legal_name=name)
    drafting.amendment_start(agreement=approved_agreement(new_admin, state_reviewer, legal_name="Four Health"),
                             actor=new_admin)
    with_four, response = queries_for_home()
    assert with_four == with_one
    assert [(a.organization.name, v.number) for a, v in response.context["agreements"]] == [
        ("Four Health", 2), ("One Health", 1), ("Three Health", 1), ("Two Health", 1)]


def test_a_refused_decision_is_shown_beside_the_comments_field(client, state_reviewer, submitted):
    client.force_login(state_reviewer)
    response = client.post(reverse("enrollment:decide", args=[submitted.pk]), {"decision": "rejected"})
    assert response.status_code == 400
    assert response.context["form"].errors["comments"] == [
        "Give the reason: comments are required to reject an agreement."]
