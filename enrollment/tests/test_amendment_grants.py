"""Approving an amendment grants exactly what the reviewer's "what changes" shows: roles and
invitations for the people it newly names, registry changes for what it changes, nothing else."""

from cvms.accounts.models import Invitation, Membership, Role
from cvms.accounts.tests.factories import UserFactory
from cvms.core.models import AuditLog
from cvms.demo.seed import seed_demo_everywhere
from cvms.organizations import services as registry
from cvms.organizations.models import Location, Organization
from enrollment.models import ContactRole
from enrollment.selectors import version_changes
from enrollment.services import decisions, drafting
from enrollment.tests.factories import add_location, approved_agreement, person, sign


def _approve(amendment, admin, reviewer) -> list[str]:
    """Sign and approve ``amendment``; returns what the reviewer was shown."""
    sign(amendment, admin)
    shown = version_changes(amendment)
    decisions.version_approve(version=amendment, actor=reviewer)
    return shown


def _invitations_sent_since(mark: int) -> list[Invitation]:
    """Invitations sent (or sent again) after the audit entry ``mark``."""
    ids = AuditLog.objects.filter(pk__gt=mark, action="accounts.invitation.sent").values_list("object_id", flat=True)
    return list(Invitation.objects.filter(pk__in=[int(i) for i in ids]).select_related("location"))


def _mark() -> int:
    return AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _invitation_mail(mailoutbox) -> set[str]:
    """Who was emailed an invitation or a new role."""
    return {m.to[0] for m in mailoutbox if "invited to register" in m.subject or "You have access" in m.subject}


def test_approving_triangles_amendment_that_adds_cary_grants_roles_only_at_cary(reference_data, eager, mailoutbox):
    seed_demo_everywhere()
    eager()
    mailoutbox.clear()
    admin = Membership.objects.get(user__email="orgadmin@example.com", role=Role.ORG_ADMIN).user
    reviewer = Membership.objects.get(user__email="state@example.com", role=Role.STATE_STAFF).user
    triangle = Organization.objects.get(name="Triangle Health System")
    durham = Location.objects.get(name="Triangle Health Durham Clinic")
    backup_roles_before = set(Membership.objects.filter(user__email="backup@example.com").values_list("pk", flat=True))
    amendment = drafting.amendment_start(agreement=triangle.provider_agreement, actor=admin)
    add_location(amendment, admin, name="Triangle Health Cary Clinic", tag="cary")
    mark = _mark()

    shown = _approve(amendment, admin, reviewer)
    eager()

    cary = Location.objects.get(name="Triangle Health Cary Clinic")
    assert {(i.email, i.location) for i in _invitations_sent_since(mark)} == {
        ("cary-primary@example.com", cary), ("cary-backup@example.com", cary)}
    assert not Membership.objects.filter(user__email="backup@example.com", location=durham).exists()
    assert set(Membership.objects.filter(user__email="backup@example.com").values_list("pk", flat=True)) == \
        backup_roles_before
    assert "backup@example.com" not in {m.to[0] for m in mailoutbox}
    assert _invitation_mail(mailoutbox) == {"cary-primary@example.com", "cary-backup@example.com"}
    assert all(any(email in line for line in shown) for email in _invitation_mail(mailoutbox))


def test_an_amendment_adding_one_location_invites_its_coordinators_and_no_one_else(
        new_admin, state_reviewer, eager, mailoutbox):
    agreement = approved_agreement(new_admin, state_reviewer)
    eager()
    mailoutbox.clear()
    first_links = dict(Invitation.objects.values_list("email", "nonce"))
    amendment = drafting.amendment_start(agreement=agreement, actor=new_admin)
    add_location(amendment, new_admin, name="Third Clinic")
    mark = _mark()

    shown = _approve(amendment, new_admin, state_reviewer)
    eager()

    third = Location.objects.get(name="Third Clinic")
    assert sorted((i.email, i.location, i.is_backup) for i in _invitations_sent_since(mark)) == [
        ("third-clinic-backup@example.com", third, True), ("third-clinic-primary@example.com", third, False)]
    # The coordinators of the other clinics, not registered yet, keep the links they were sent.
    assert {email: nonce for email, nonce in Invitation.objects.values_list("email", "nonce")
            if email in first_links} == first_links
    assert _invitation_mail(mailoutbox) == {"third-clinic-primary@example.com", "third-clinic-backup@example.com"}
    assert "New location: Third Clinic" in shown
    assert "Third Clinic — Primary vaccine coordinator: — → Third-Clinic-Primary Person " \
           "<third-clinic-primary@example.com>" in shown


def test_an_amendment_naming_a_new_coordinator_at_an_existing_location_shows_it_and_grants_it(
        new_admin, state_reviewer, eager, mailoutbox):
    agreement = approved_agreement(new_admin, state_reviewer)
    eager()
    mailoutbox.clear()
    newcomer = UserFactory(email="new.backup@example.com", first_name="Nia", last_name="Backup")
    amendment = drafting.amendment_start(agreement=agreement, actor=new_admin)
    main = amendment.locations.get(name="Main Clinic")
    drafting.location_save(version=amendment, version_location=main, fields={}, units=[], actor=new_admin,
                           contacts={ContactRole.BACKUP_COORDINATOR: person("new.backup", first_name="Nia",
                                                                            last_name="Backup")})
    mark = _mark()

    shown = _approve(amendment, new_admin, state_reviewer)
    eager()

    location = Location.objects.get(name="Main Clinic")
    assert "Main Clinic — Back-up vaccine coordinator: Main-Clinic-Backup Person <main-clinic-backup@example.com> " \
           "→ Nia Backup <new.backup@example.com>" in shown
    assert [(i.email, i.location, i.is_backup) for i in _invitations_sent_since(mark)] == [
        ("new.backup@example.com", location, True)]
    assert Membership.objects.active().filter(user=newcomer, role=Role.VACCINE_COORDINATOR, location=location,
                                              is_backup=True).exists()
    assert _invitation_mail(mailoutbox) == {"new.backup@example.com"}


def test_a_coordinators_new_phone_shows_in_the_diff_and_invites_no_one(new_admin, state_reviewer, eager, mailoutbox):
    agreement = approved_agreement(new_admin, state_reviewer)
    amendment = drafting.amendment_start(agreement=agreement, actor=new_admin)
    main = amendment.locations.get(name="Main Clinic")
    drafting.location_save(version=amendment, version_location=main, fields={}, units=[], actor=new_admin,
                           contacts={ContactRole.PRIMARY_COORDINATOR: person("main-clinic-primary",
                                                                             phone="9195550177")})
    eager()
    mailoutbox.clear()
    mark = _mark()

    shown = _approve(amendment, new_admin, state_reviewer)
    eager()

    assert "Main Clinic — Primary vaccine coordinator — phone: 9195550100 → 9195550177" in shown
    assert _invitations_sent_since(mark) == []
    assert _invitation_mail(mailoutbox) == set()


def test_approval_leaves_what_the_amendment_did_not_change_as_the_registry_has_it(new_admin, state_reviewer):
    agreement = approved_agreement(new_admin, state_reviewer)
    second = Location.objects.get(name="Second Clinic")
    registry.location_update(location=second, actor=state_reviewer, hours="Mon–Sun 7–9")
    amendment = drafting.amendment_start(agreement=agreement, actor=new_admin)
    main = amendment.locations.get(name="Main Clinic")
    drafting.location_save(version=amendment, version_location=main, fields={"hours": "Mon–Sat 7–7"}, units=[],
                           contacts={}, actor=new_admin)

    shown = _approve(amendment, new_admin, state_reviewer)

    assert shown == ["Main Clinic — hours of operation: Mon–Fri 8–5 → Mon–Sat 7–7"]
    assert Location.objects.get(name="Main Clinic").hours == "Mon–Sat 7–7"
    assert Location.objects.get(pk=second.pk).hours == "Mon–Sun 7–9"


def test_an_approved_amendment_still_shows_what_it_changed_from_the_version_before_it(new_admin, state_reviewer):
    agreement = approved_agreement(new_admin, state_reviewer)
    second = drafting.amendment_start(agreement=agreement, actor=new_admin)
    add_location(second, new_admin, name="Third Clinic")
    _approve(second, new_admin, state_reviewer)
    third = drafting.amendment_start(agreement=agreement, actor=new_admin)
    add_location(third, new_admin, name="Fourth Clinic")
    sign(third, new_admin)

    agreement.refresh_from_db()
    first, second, third = (agreement.versions.get(number=n) for n in (1, 2, 3))
    assert version_changes(first) == []  # the enrollment: nothing before it
    assert version_changes(second)[:1] == ["New location: Third Clinic"]
    assert version_changes(third)[:1] == ["New location: Fourth Clinic"]

