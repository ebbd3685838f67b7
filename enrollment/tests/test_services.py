import datetime
import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from cvms.accounts.models import Invitation, Membership, Role
from cvms.core.models import AuditLog
from cvms.organizations import choices as rc
from cvms.organizations.models import Location, StorageUnit
from enrollment import selectors
from enrollment.models import Agreement, AgreementVersion, ContactRole, VersionStatus
from enrollment.services import EnrollmentError, decisions, drafting
from enrollment.tests.factories import add_location, approved_agreement, complete_version, fill_section_a, sign


@pytest.fixture
def draft(new_admin):
    agreement = drafting.agreement_start(user=new_admin, legal_name="Coastal Family Practice",
                                         provider_type=rc.ProviderType.PRIVATE_PRACTICE)
    return agreement.versions.get()


def test_starting_an_enrollment_makes_a_pending_organization_its_administrator_runs(new_admin, draft):
    organization = draft.agreement.organization
    assert organization.status == rc.OrganizationStatus.PENDING
    assert organization.provider_type == rc.ProviderType.PRIVATE_PRACTICE
    assert Membership.objects.filter(user=new_admin, role=Role.ORG_ADMIN, organization=organization).exists()
    assert (draft.number, draft.kind, draft.status) == (1, "enrollment", VersionStatus.DRAFT)
    assert AuditLog.objects.filter(action="enrollment.agreement.started", actor=new_admin).exists()


def test_an_empty_draft_lists_every_missing_item_by_field(draft):
    messages = [str(p) for p in selectors.version_problems(draft)]
    assert "Section A: Street address is required." in messages
    assert "Section A: County is required." in messages
    assert "Section A: Organization phone is required." in messages
    assert "Section A: Acknowledge every condition of the agreement." in messages
    assert "Section A: Chief medical officer (or equivalent): email is required." in messages
    assert "Section A: Back-up vaccine coordinator: phone is required." in messages
    assert "Section B: Add at least one location." in messages


def test_a_location_names_its_own_missing_items(draft, new_admin):
    location = drafting.location_save(version=draft, fields={"name": "Annex"}, contacts={}, units=[],
                                       actor=new_admin)
    messages = [str(p) for p in selectors.location_problems(location)]
    assert "Annex: Hours of operation is required." in messages
    assert "Annex: Estimated population served is required." in messages
    assert "Annex: Add at least one storage unit." in messages
    assert "Annex: Primary vaccine coordinator: first name is required." in messages


def test_primary_and_backup_coordinators_must_differ(draft, new_admin):
    fill_section_a(draft, new_admin)
    drafting.section_a_save(version=draft, fields={}, actor=new_admin, contacts={
        ContactRole.BACKUP_COORDINATOR: {"first_name": "Same", "last_name": "P", "email": "org-primary_coordinator@"
                                         "example.com", "phone": "9195550100"}})
    assert "must be a different person" in str(selectors.section_a_problems(draft))


def test_storage_unit_temperatures_must_be_a_range(draft, new_admin):
    with pytest.raises(EnrollmentError, match="minimum temperature must be below the maximum"):
        drafting.location_save(version=draft, fields={"name": "X"}, contacts={}, actor=new_admin, units=[
            {"name": "F", "kind": rc.StorageKind.FREEZER, "min_temp_c": Decimal("-10"), "max_temp_c": Decimal("-20"),
             "has_data_logger": False}])


def test_an_incomplete_agreement_cannot_be_submitted(draft, new_admin):
    with pytest.raises(EnrollmentError, match="not complete: Section A: Street address is required"):
        sign(draft, new_admin)


@pytest.mark.parametrize("override,message", [
    ({"signed_on": timezone.localdate() - datetime.timedelta(days=1)}, "must be today's date"),
    ({"attested": False}, "Check the attestation"),
    ({"signed_name": "  "}, "Type your full name and title"),
])
def test_signing_needs_name_title_todays_date_and_attestation(draft, new_admin, override, message):
    complete_version(draft, new_admin)
    with pytest.raises(EnrollmentError, match=message):
        sign(draft, new_admin, **override)
    assert AgreementVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_submission_records_the_signature_and_emails_admin_and_reviewers(draft, new_admin, state_reviewer, eager,
                                                                         mailoutbox):
    complete_version(draft, new_admin)
    sign(draft, new_admin)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.SUBMITTED
    assert (draft.signed_name, draft.signed_title, draft.signed_by) == ("Olivia Admin", "Administrator", new_admin)
    assert AuditLog.objects.filter(action="enrollment.agreement.submitted", actor=new_admin).exists()
    eager()
    by_address = {m.to[0]: m for m in mailoutbox}
    assert by_address[new_admin.email].subject == "Received: Coastal Family Practice's COVID-19 provider agreement"
    assert "/enroll/review/" in by_address[state_reviewer.email].body


def test_returned_agreement_keeps_everything_and_can_be_resubmitted(draft, new_admin, state_reviewer, eager,
                                                                    mailoutbox):
    complete_version(draft, new_admin, locations=("Main Clinic", "Annex"))
    sign(draft, new_admin)
    with pytest.raises(EnrollmentError, match="comments are required"):
        decisions.version_return(version=draft, actor=state_reviewer, comments=" ")
    decisions.version_return(version=draft, actor=state_reviewer, comments="Add the Annex's data logger.")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.RETURNED and draft.locations.count() == 2
    assert draft.contacts.filter(version_location__isnull=False).count() == 4  # Section B users kept
    eager()
    assert "Add the Annex's data logger." in mailoutbox[-1].body
    fill_section_a(draft, new_admin, phone="9195550199")
    sign(draft, new_admin)
    labels = [entry.label for entry in selectors.agreement_history(draft.agreement)]
    assert [str(label) for label in labels] == ["Enrollment started", "Signed and submitted", "Returned for changes",
                                                "Corrected and resubmitted"]


def test_approval_activates_the_organization_locations_pins_units_and_invites_coordinators(
        new_admin, state_reviewer, eager, mailoutbox, settings):
    agreement = approved_agreement(new_admin, state_reviewer)
    organization = agreement.organization
    assert organization.status == rc.OrganizationStatus.ACTIVE and organization.phone == "9195550100"
    locations = list(Location.objects.filter(organization=organization).order_by("name"))
    assert [loc.name for loc in locations] == ["Main Clinic", "Second Clinic"]
    assert all(loc.is_active and re.fullmatch(rf"{settings.CVMS_PIN_PREFIX}\d{{6}}", loc.provider_pin)
               for loc in locations)
    assert locations[0].hours == "Mon–Fri 8–5" and locations[0].population_served == 1200
    assert StorageUnit.objects.filter(location__in=locations).count() == 2
    invitations = Invitation.objects.filter(location__in=locations)
    assert sorted((i.email, i.is_backup) for i in invitations if i.location == locations[0]) == [
        ("main-clinic-backup@example.com", True), ("main-clinic-primary@example.com", False)]
    assert agreement.approved_version.status == VersionStatus.APPROVED
    eager()
    subjects = [m.subject for m in mailoutbox]
    assert "Approved: Approved Health's COVID-19 provider agreement" in subjects
    assert sum("invited to register for CVMS" in s for s in subjects) == 4


def test_rejection_needs_a_reason(draft, new_admin, state_reviewer):
    complete_version(draft, new_admin)
    sign(draft, new_admin)
    with pytest.raises(EnrollmentError, match="comments are required to reject"):
        decisions.version_reject(version=draft, actor=state_reviewer, comments="")
    decisions.version_reject(version=draft, actor=state_reviewer, comments="Not a North Carolina provider.")
    assert AgreementVersion.objects.get(pk=draft.pk).status == VersionStatus.REJECTED


def test_a_decided_version_cannot_be_decided_again(draft, new_admin, state_reviewer):
    complete_version(draft, new_admin)
    sign(draft, new_admin)
    decisions.version_approve(version=draft, actor=state_reviewer)
    with pytest.raises(EnrollmentError, match="approved: someone may have acted on it already"):
        decisions.version_return(version=draft, actor=state_reviewer, comments="late")


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_make_one_decision(new_admin, state_reviewer):
    agreement = drafting.agreement_start(user=new_admin, legal_name="Race Health",
                                         provider_type=rc.ProviderType.HOSPITAL)
    version = complete_version(agreement.versions.get(), new_admin)
    sign(version, new_admin)
    barrier, outcomes = threading.Barrier(2), []

    def decide(action, **kwargs):
        try:
            barrier.wait()
            action(version=AgreementVersion.objects.get(pk=version.pk), actor=state_reviewer, **kwargs)
            outcomes.append("decided")
        except EnrollmentError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(decisions.version_approve,)),
               threading.Thread(target=decide, args=(decisions.version_reject,), kwargs={"comments": "no"})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["decided", "refused"]


def test_a_submitted_or_approved_version_cannot_be_edited(draft, new_admin, state_reviewer):
    complete_version(draft, new_admin)
    sign(draft, new_admin)
    with pytest.raises(EnrollmentError, match="submitted for review and can no longer be changed"):
        fill_section_a(draft, new_admin, phone="9195550000")


def test_amendment_adds_a_unit_and_changes_hours_then_approval_applies_it(new_admin, state_reviewer):
    agreement = approved_agreement(new_admin, state_reviewer)
    first = agreement.approved_version
    amendment = drafting.amendment_start(agreement=agreement, actor=new_admin)
    assert (amendment.number, amendment.kind, amendment.status) == (2, "amendment", VersionStatus.DRAFT)
    main = amendment.locations.get(name="Main Clinic")
    unit = main.storage_units.get()
    drafting.location_save(
        version=amendment, version_location=main, fields={"hours": "Mon–Sat 7–7"}, contacts={}, actor=new_admin,
        units=[{"id": unit.pk, "name": unit.name, "kind": unit.kind, "min_temp_c": unit.min_temp_c,
                "max_temp_c": unit.max_temp_c, "has_data_logger": True},
               {"name": "Ultra-cold 1", "kind": rc.StorageKind.ULTRA_COLD, "min_temp_c": Decimal("-90"),
                "max_temp_c": Decimal("-60"), "has_data_logger": True}])
    add_location(amendment, new_admin, name="Pop-up Site", county="Durham")
    changes = selectors.version_changes(amendment)
    assert "Main Clinic — hours of operation: Mon–Fri 8–5 → Mon–Sat 7–7" in changes
    assert any(line.startswith("Main Clinic — new storage unit: Ultra-cold 1") for line in changes)
    assert "New location: Pop-up Site" in changes
    with pytest.raises(EnrollmentError, match="already has a version in progress"):
        drafting.amendment_start(agreement=agreement, actor=new_admin)
    sign(amendment, new_admin)
    decisions.version_approve(version=amendment, actor=state_reviewer)
    main_location = Location.objects.get(organization=agreement.organization, name="Main Clinic")
    assert main_location.hours == "Mon–Sat 7–7"
    assert sorted(main_location.storage_units.values_list("name", flat=True)) == ["Fridge 1", "Ultra-cold 1"]
    assert Location.objects.get(name="Pop-up Site").provider_pin
    agreement.refresh_from_db()
    assert agreement.approved_version == amendment
    first.refresh_from_db()
    assert first.locations.get(name="Main Clinic").hours == "Mon–Fri 8–5"  # the old version reads as signed


def test_an_approved_location_stays_on_an_amendment(new_admin, state_reviewer):
    agreement = approved_agreement(new_admin, state_reviewer)
    amendment = drafting.amendment_start(agreement=agreement, actor=new_admin)
    with pytest.raises(EnrollmentError, match="approved location and stays"):
        drafting.location_remove(version_location=amendment.locations.first(), actor=new_admin)


def test_amendments_wait_for_an_approved_enrollment(draft, new_admin):
    with pytest.raises(EnrollmentError, match="once the enrollment is approved"):
        drafting.amendment_start(agreement=Agreement.objects.get(pk=draft.agreement_id), actor=new_admin)


def test_an_enrollment_without_an_organization_type_is_refused_naming_the_field(new_admin):
    with pytest.raises(EnrollmentError) as refusal:
        drafting.agreement_start(user=new_admin, legal_name="Coastal Pharmacy", provider_type="")
    assert refusal.value.field == "provider_type"
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("decide", [decisions.version_return, decisions.version_reject])
def test_a_return_or_rejection_without_comments_names_the_comments_field(draft, new_admin, state_reviewer, decide):
    sign(complete_version(draft, new_admin), new_admin)
    with pytest.raises(EnrollmentError) as refusal:
        decide(version=draft, actor=state_reviewer, comments="  ")
    assert refusal.value.field == "comments"


def test_signing_without_the_attestation_names_the_attestation_field(draft, new_admin):
    complete_version(draft, new_admin)
    with pytest.raises(EnrollmentError) as refusal:
        sign(draft, new_admin, attested=False)
    assert refusal.value.field == "attested"


@pytest.mark.parametrize("decision,status", [("approved", VersionStatus.APPROVED),
                                             ("returned", VersionStatus.RETURNED)])
def test_one_service_records_each_decision(draft, new_admin, state_reviewer, decision, status):
    sign(complete_version(draft, new_admin), new_admin)
    decisions.version_decide(version=draft, actor=state_reviewer, decision=decision, comments="Looks right.")
    assert AgreementVersion.objects.get(pk=draft.pk).status == status
