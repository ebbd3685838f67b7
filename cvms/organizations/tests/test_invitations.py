"""Employers invited by health departments and the state, and their Organization Coordinators."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from cvms.accounts.models import Invitation, Membership, Role
from cvms.accounts.services import (
    InvitationInvalid,
    invitation_accept,
    invitation_email_send,
    invitation_for_token,
    invitation_link,
    invitation_register,
)
from cvms.accounts.tests.factories import PASSWORD, UserFactory
from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.organizations import choices as c
from cvms.organizations.invitations import (
    coordinator_invitation_resend,
    coordinator_invitation_withdraw,
    coordinator_invite,
    counties_invitable_by,
    organization_invite,
)
from cvms.organizations.invited import InvitedStatus, invited_overview, with_invited_status
from cvms.organizations.models import Organization
from cvms.organizations.services import organization_update
from cvms.recipients.tests.factories import RecipientFactory


def _invite(actor, *, name="Acme Foods", county="Wake", email="pat@acme.example", **extra):
    return organization_invite(name=name, county=county, industry=c.Industry.FOOD, contact_email=email,
                               contact_first_name="Pat", contact_last_name="Lee", actor=actor, **extra)


def _token(invitation):
    return invitation_link(invitation).rstrip("/").rsplit("/", 1)[1]


def test_a_health_department_invites_an_employer_in_its_county(lhd_wake, django_capture_on_commit_callbacks,
                                                                 queued_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(lhd_wake, name="  Acme   Foods ")
    employer = invitation.organization
    department = Organization.objects.get(name="Wake County Health Department")
    assert (employer.name, employer.kind, employer.county, employer.industry) == (
        "Acme Foods", c.OrganizationKind.EMPLOYER, "Wake", c.Industry.FOOD)
    assert employer.invited_by == department and employer.invited_at is not None
    assert (invitation.role, invitation.email, invitation.invited_by) == (Role.ORG_COORDINATOR, "pat@acme.example",
                                                                          lhd_wake)
    assert ("cvms.accounts.tasks.send_invitation", (invitation.pk,), {}) in [
        (name, tuple(args), kwargs or {}) for name, args, kwargs in queued_tasks]
    assert AuditLog.objects.filter(action="organizations.organization.invited", object_id=str(employer.pk),
                                   actor=lhd_wake).exists()


def test_a_health_department_inviting_outside_its_counties_is_refused_naming_the_county(lhd_wake):
    with pytest.raises(ServiceError) as refusal:
        _invite(lhd_wake, county="Durham")
    assert "Durham County" in str(refusal.value) and refusal.value.field == "county"
    assert not Organization.objects.filter(name="Acme Foods").exists()


def test_the_counties_a_department_serves_default_to_its_own_and_state_staff_can_change_them(lhd_wake,
                                                                                             state_reviewer):
    department = Organization.objects.get(name="Wake County Health Department")
    assert counties_invitable_by(lhd_wake) == ["Wake"]
    organization_update(organization=department, served_counties=["Wake", "Johnston"], actor=state_reviewer)
    assert counties_invitable_by(lhd_wake) == ["Johnston", "Wake"]
    assert _invite(lhd_wake, county="Johnston").organization.invited_by == department
    assert AuditLog.objects.filter(action="registry.organization.updated", object_id=str(department.pk)).exists()


def test_state_staff_invite_anywhere_and_no_department_is_recorded(state_reviewer):
    invitation = _invite(state_reviewer, county="Durham")
    assert invitation.organization.invited_by is None and invitation.organization.invited_at
    assert len(counties_invitable_by(state_reviewer)) == 100


def test_someone_without_a_department_cannot_invite(outsider):
    with pytest.raises(ServiceError, match="does not serve Wake County"):
        _invite(outsider)


@pytest.mark.parametrize("name", ["Acme Foods", "ACME foods", " acme  Foods "])
def test_a_duplicate_employer_in_the_same_county_is_refused_clearly(lhd_wake, state_reviewer, name):
    _invite(lhd_wake)
    with pytest.raises(ServiceError) as refusal:
        _invite(state_reviewer, name=name, email="other@acme.example")
    assert "Acme Foods in Wake County was already invited on" in str(refusal.value)
    assert refusal.value.field == "name"
    assert Organization.objects.filter(name__iexact="acme foods").count() == 1
    assert _invite(state_reviewer, county="Durham").organization.county == "Durham"  # another county is another


def test_an_employer_already_in_cvms_is_refused_too(lhd_wake, tenant_a):
    with pytest.raises(ServiceError, match="Employer A in Wake County is already registered"):
        _invite(lhd_wake, name="employer a")


@pytest.mark.parametrize("field,value,message", [
    ("name", "   ", "Enter the organization's name."),
    ("county", "Atlantis", "Atlantis is not a county of North Carolina."),
    ("industry", "mining", "Choose the organization's industry."),
])
def test_bad_invitation_fields_are_refused_naming_the_field(lhd_wake, field, value, message):
    fields = {"name": "Acme Foods", "county": "Wake", "industry": c.Industry.FOOD}
    fields[field] = value
    with pytest.raises(ServiceError, match=message) as refusal:
        organization_invite(contact_email="pat@acme.example", actor=lhd_wake, **fields)
    assert refusal.value.field == field


def test_the_contact_signs_up_from_the_link_and_coordinates_the_employer(lhd_wake):
    invitation = _invite(lhd_wake)
    user = invitation_register(invitation=invitation_for_token(_token(invitation)), first_name="Pat",
                               last_name="Lee", password=PASSWORD)
    assert Membership.objects.active().filter(user=user, role=Role.ORG_COORDINATOR,
                                              organization=invitation.organization).exists()
    [row] = with_invited_status(Organization.objects.filter(pk=invitation.organization_id))
    assert row.invited_status == InvitedStatus.ACTIVE


def test_the_invitation_email_goes_out_in_the_contacts_language(lhd_wake, mailoutbox):
    invitation = _invite(lhd_wake, language="es")
    invitation_email_send(invitation_id=invitation.pk)
    [message] = mailoutbox
    assert message.to == ["pat@acme.example"]
    assert message.subject == "Se le invita a registrarse en CVMS para Acme Foods"
    assert "Coordinador de la organización de Acme Foods" in message.body


def test_the_employer_contact_is_pointed_to_the_cvms_help_desk_not_the_providers(lhd_wake, mailoutbox):
    invitation_email_send(invitation_id=_invite(lhd_wake).pk)
    [message] = mailoutbox
    assert "Call the CVMS Help Desk at" in message.body and "provider help desk" not in message.body
    assert "Call the CVMS Help Desk at" in message.alternatives[0][0]


def test_an_address_that_already_coordinates_the_employer_is_refused(lhd_wake):
    invitation = _invite(lhd_wake)
    invitation_register(invitation=invitation, first_name="Pat", last_name="Lee", password=PASSWORD)
    with pytest.raises(ServiceError) as refusal:
        coordinator_invite(organization=invitation.organization, email="PAT@acme.example", actor=lhd_wake)
    assert str(refusal.value) == "pat@acme.example is already an Organization Coordinator of Acme Foods."
    assert refusal.value.field == "email"


def test_a_coordinator_invites_another_coordinator_for_the_same_employer(lhd_wake):
    first = _invite(lhd_wake)
    pat = invitation_register(invitation=first, first_name="Pat", last_name="Lee", password=PASSWORD)
    second = coordinator_invite(organization=first.organization, email="sam@acme.example", first_name="Sam",
                                actor=pat)
    assert (second.organization, second.role, second.invited_by) == (first.organization, Role.ORG_COORDINATOR, pat)
    sam = UserFactory(email="sam@acme.example")
    invitation_accept(invitation=second, user=sam)
    assert set(Membership.objects.filter(organization=first.organization, role=Role.ORG_COORDINATOR)
               .values_list("user__email", flat=True)) == {"pat@acme.example", "sam@acme.example"}


def test_resending_renews_the_link_and_the_expiry_of_an_expired_invitation(lhd_wake):
    invitation = _invite(lhd_wake)
    old_token = _token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(InvitationInvalid, match="This invitation expired on .* Ask the health department"):
        invitation_for_token(old_token)
    [row] = with_invited_status(Organization.objects.filter(pk=invitation.organization_id))
    assert row.invited_status == InvitedStatus.EXPIRED
    renewed = coordinator_invitation_resend(invitation=Invitation.objects.get(pk=invitation.pk), actor=lhd_wake)
    assert renewed.pk == invitation.pk and renewed.expires_at > timezone.now()
    assert invitation_for_token(_token(renewed)) == renewed
    with pytest.raises(InvitationInvalid, match="replaced"):
        invitation_for_token(old_token)


def test_a_withdrawn_invitation_link_says_so_and_cannot_be_resent(lhd_wake):
    invitation = _invite(lhd_wake)
    token = _token(invitation)
    coordinator_invitation_withdraw(invitation=invitation, actor=lhd_wake)
    with pytest.raises(InvitationInvalid, match="This invitation was withdrawn on"):
        invitation_for_token(token)
    assert AuditLog.objects.filter(action="accounts.invitation.revoked", object_id=str(invitation.pk),
                                   actor=lhd_wake).exists()
    with pytest.raises(ServiceError, match="was withdrawn. Invite them again"):
        coordinator_invitation_resend(invitation=invitation, actor=lhd_wake)
    with pytest.raises(ServiceError, match="was withdrawn"):
        coordinator_invitation_withdraw(invitation=invitation, actor=lhd_wake)
    [row] = with_invited_status(Organization.objects.filter(pk=invitation.organization_id))
    assert row.invited_status == InvitedStatus.REVOKED
    again = coordinator_invite(organization=invitation.organization, email=invitation.email, actor=lhd_wake)
    assert again.pk != invitation.pk and invitation_for_token(_token(again)) == again


def test_an_accepted_invitation_cannot_be_withdrawn_or_resent(lhd_wake):
    invitation = _invite(lhd_wake)
    invitation_register(invitation=invitation, first_name="Pat", last_name="Lee", password=PASSWORD)
    invitation.refresh_from_db()
    for change in (coordinator_invitation_resend, coordinator_invitation_withdraw):
        with pytest.raises(ServiceError, match="already accepted"):
            change(invitation=invitation, actor=lhd_wake)


def test_the_overview_counts_employees_and_registrations_per_county_with_totals(lhd_wake, state_reviewer):
    organization_update(organization=Organization.objects.get(name="Wake County Health Department"),
                        served_counties=["Wake", "Johnston"], actor=state_reviewer)
    acme = _invite(lhd_wake).organization
    bolt = _invite(lhd_wake, name="Bolt Works", county="Johnston", email="kim@bolt.example").organization
    invitation_register(invitation=Invitation.objects.get(organization=acme), first_name="Pat", last_name="Lee",
                        password=PASSWORD)
    for n in range(3):
        RecipientFactory(employer=acme, registered_at=timezone.now() if n else None)
    RecipientFactory(employer=bolt)
    overview = invited_overview(Organization.objects.filter(invited_at__isnull=False))
    assert [(r["county"], r["organizations"], r["active"], r["uploaded"], r["registered"])
            for r in overview["counties"]] == [("Johnston", 1, 0, 1, 0), ("Wake", 1, 1, 3, 2)]
    assert overview["totals"] == {"organizations": 2, "active": 1, "uploaded": 4, "registered": 2}
    rows = {o.name: (o.invited_status, o.employee_count, o.registered_count) for o in overview["organizations"]}
    assert rows == {"Acme Foods": ("active", 3, 2), "Bolt Works": ("invited", 1, 0)}
    only_wake = invited_overview(Organization.objects.filter(invited_at__isnull=False), county="Wake")
    assert only_wake["totals"]["organizations"] == 1 and [o.name for o in only_wake["organizations"]] == [
        "Acme Foods"]
    invited = invited_overview(Organization.objects.filter(invited_at__isnull=False), status="invited")
    assert [o.name for o in invited["organizations"]] == ["Bolt Works"]


@pytest.mark.django_db(transaction=True)
def test_two_departments_inviting_the_same_employer_at_once_create_one(lhd_wake):
    """Both pass the duplicate check; the database's unique index lets one through."""
    from cvms.accounts.models import User

    state = UserFactory(email="state.two@example.com")
    from cvms.accounts.services import membership_grant

    membership_grant(user=state, role=Role.STATE_STAFF)
    barrier, outcomes = threading.Barrier(2), []

    def invite(actor):
        try:
            barrier.wait()
            outcomes.append(_invite(User.objects.get(pk=actor.pk)).organization.pk)
        except ServiceError as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=invite, args=(who,)) for who in (lhd_wake, state)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Organization.objects.filter(name="Acme Foods", county="Wake").count() == 1
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert any(isinstance(o, str) and "already" in o for o in outcomes)


def _department():
    return Organization.objects.get(name="Wake County Health Department")


def test_state_staff_change_the_counties_a_department_serves_in_admin(client, lhd_wake, state_reviewer):
    from django.urls import reverse

    client.force_login(state_reviewer)
    url = reverse("admin:organizations_organization_change", args=[_department().pk])
    assert 'name="served_counties"' in client.get(url).content.decode()
    form = {"name": "Wake County Health Department", "county": "Wake", "state": "NC", "phone": "",
            "address_line1": "", "address_line2": "", "city": "", "zip_code": "", "provider_type": "",
            "industry": "", "served_counties": ["Wake", "Johnston"]}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _department().served_counties == ["Johnston", "Wake"]
    entry = AuditLog.objects.get(action="registry.organization.updated", object_id=str(_department().pk))
    assert entry.actor == state_reviewer and entry.changes["served_counties"] == [[], ["Johnston", "Wake"]]


def test_an_employer_serves_no_county_and_unknown_counties_are_refused(lhd_wake, tenant_a):
    with pytest.raises(ServiceError, match="Only a local health department serves counties"):
        organization_update(organization=tenant_a.employer, served_counties=["Wake"])
    with pytest.raises(ServiceError, match="Atlantis: not a county of North Carolina"):
        organization_update(organization=_department(), served_counties=["Wake", "Atlantis"])
    assert _department().served_counties == []


def test_a_contact_who_already_has_an_account_coordinates_at_once_and_is_told_to_sign_in(lhd_wake, mailoutbox):
    contact = UserFactory(email="pat@acme.example")
    invitation = _invite(lhd_wake)
    assert Membership.objects.active().filter(user=contact, role=Role.ORG_COORDINATOR,
                                              organization=invitation.organization).exists()
    invitation_email_send(invitation_id=invitation.pk)
    [message] = mailoutbox
    assert message.subject == "You have access to Acme Foods in CVMS" and "Sign in" in message.body
    [row] = with_invited_status(Organization.objects.filter(pk=invitation.organization_id))
    assert row.invited_status == InvitedStatus.ACTIVE
