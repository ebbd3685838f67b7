"""Inviting employers and coordinators from the Organization Portal; the health department's view."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.models import Invitation, Membership, Role
from cvms.accounts.services import invitation_register
from cvms.accounts.tests.factories import PASSWORD
from cvms.organizations import choices as c
from cvms.organizations.invitations import organization_invite
from cvms.organizations.models import Organization
from cvms.recipients.tests.factories import RecipientFactory

FORM = {"name": "Acme Foods", "county": "Wake", "industry": "food", "first_name": "Pat", "last_name": "Lee",
        "email": "pat@acme.example", "language": "en"}


def _invite(actor, *, name="Acme Foods", county="Wake", email="pat@acme.example"):
    return organization_invite(name=name, county=county, industry=c.Industry.FOOD, contact_email=email,
                               contact_first_name="Pat", actor=actor)


@pytest.fixture
def acme(lhd_wake):
    """An employer the Wake County Health Department invited; its contact has not signed up yet."""
    return _invite(lhd_wake)


@pytest.fixture
def acme_coordinator(acme):
    return invitation_register(invitation=acme, first_name="Pat", last_name="Lee", password=PASSWORD)


def test_a_health_department_invites_an_employer_and_lands_on_its_coordinators(client, lhd_wake):
    client.force_login(lhd_wake)
    page = client.get(reverse("organization_portal:invite"))
    assert page.status_code == 200 and page.context["form"]["county"].initial == "Wake"
    assert page.context["served"] == ["Wake"]
    response = client.post(reverse("organization_portal:invite"), FORM, follow=True)
    employer = Organization.objects.get(name="Acme Foods")
    assert response.redirect_chain[-1][0] == reverse("organization_portal:team", args=[employer.pk])
    body = response.content.decode()
    assert "Acme Foods is invited: pat@acme.example has been sent an invitation." in body
    assert "pat@acme.example" in body and "Sent, expires on" in body


def test_inviting_outside_the_departments_counties_names_the_county_beside_the_field(client, lhd_wake):
    client.force_login(lhd_wake)
    response = client.post(reverse("organization_portal:invite"), {**FORM, "county": "Durham"})
    assert response.status_code == 200
    assert "County: Your health department does not serve Durham County" in response.content.decode()
    assert not Organization.objects.filter(name="Acme Foods").exists()


def test_a_duplicate_employer_is_refused_beside_the_name(client, lhd_wake, acme):
    client.force_login(lhd_wake)
    response = client.post(reverse("organization_portal:invite"), {**FORM, "name": "ACME FOODS"})
    assert "Organization name: Acme Foods in Wake County was already invited on" in response.content.decode()


@pytest.mark.parametrize("field,value,message", [
    ("email", "not-an-address", "Contact&#x27;s email: Enter a valid email address."),
    ("name", "x" * 201, "Organization name: Ensure this value has at most 200 characters"),
    ("industry", "", "Industry: This field is required."),
    ("county", "Atlantis", "County: Select a valid choice."),
])
def test_bad_input_is_refused_naming_the_field(client, lhd_wake, field, value, message):
    client.force_login(lhd_wake)
    response = client.post(reverse("organization_portal:invite"), {**FORM, field: value})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_department_sees_what_it_invited_with_status_and_counts(client, lhd_wake, acme, acme_coordinator,
                                                                     lhd_durham):
    RecipientFactory(employer=acme.organization, registered_at=timezone.now())
    RecipientFactory(employer=acme.organization)
    elsewhere = _invite(lhd_durham, name="Durham Mills", county="Durham", email="d@mills.example")
    client.force_login(lhd_wake)
    response = client.get(reverse("organization_portal:invited"))
    assert response.status_code == 200
    [row] = response.context["organizations"]
    assert (row.name, row.invited_status, row.employee_count, row.registered_count) == ("Acme Foods", "active", 2, 1)
    assert response.context["totals"] == {"organizations": 1, "active": 1, "uploaded": 2, "registered": 1}
    assert elsewhere.organization.name not in response.content.decode()


def test_state_staff_see_every_invited_employer_and_filter_by_county_and_status(client, state_reviewer, lhd_wake,
                                                                                acme, lhd_durham):
    _invite(lhd_durham, name="Durham Mills", county="Durham", email="d@mills.example")
    client.force_login(state_reviewer)
    names = [o.name for o in client.get(reverse("organization_portal:invited")).context["organizations"]]
    assert names == ["Durham Mills", "Acme Foods"]  # by county, then name
    response = client.get(reverse("organization_portal:invited"), {"county": "Wake", "status": "invited",
                                                                   "page": "x"})
    assert [o.name for o in response.context["organizations"]] == ["Acme Foods"]
    assert response.context["totals"]["organizations"] == 1
    assert not client.get(reverse("organization_portal:invited"), {"status": "active"}).context["organizations"]


def test_the_list_is_paginated_in_sql(client, state_reviewer, django_assert_max_num_queries):
    for n in range(55):
        _invite(state_reviewer, name=f"Employer {n:02d}", email=f"c{n}@example.com")
    client.force_login(state_reviewer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("organization_portal:invited"), {"page": "2"})
    assert len(response.context["organizations"]) == 5 and response.context["totals"]["organizations"] == 55


def test_a_coordinator_sees_coordinators_and_pending_invitations_and_invites_another(client, acme,
                                                                                     acme_coordinator):
    client.force_login(acme_coordinator)
    url = reverse("organization_portal:team", args=[acme.organization_id])
    form = {"first_name": "Sam", "last_name": "Ray", "email": "sam@acme.example", "language": "es"}
    response = client.post(url, form, follow=True)
    body = response.content.decode()
    assert "An invitation has been sent to sam@acme.example." in body
    assert [m.user for m in response.context["coordinators"]] == [acme_coordinator]
    assert [i.email for i in response.context["pending"]] == ["sam@acme.example"]
    assert Invitation.objects.get(email="sam@acme.example").language == "es"


def test_inviting_someone_who_already_coordinates_says_so_beside_the_email(client, acme, acme_coordinator):
    client.force_login(acme_coordinator)
    response = client.post(reverse("organization_portal:team", args=[acme.organization_id]),
                           {"first_name": "Pat", "last_name": "Lee", "email": "Pat@Acme.example", "language": "en"})
    assert ("Contact&#x27;s email: pat@acme.example is already an Organization Coordinator of Acme Foods."
            in response.content.decode())


def test_the_department_resends_an_expired_invitation_and_withdraws_it(client, lhd_wake, acme):
    Invitation.objects.filter(pk=acme.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(lhd_wake)
    team = client.get(reverse("organization_portal:team", args=[acme.organization_id]))
    assert "Expired on" in team.content.decode()
    response = client.post(reverse("organization_portal:invitation_resend", args=[acme.pk]), follow=True)
    assert "The invitation to pat@acme.example has been sent again." in response.content.decode()
    assert Invitation.objects.get(pk=acme.pk).expires_at > timezone.now()
    response = client.post(reverse("organization_portal:invitation_withdraw", args=[acme.pk]), follow=True)
    assert "has been withdrawn: its link no longer works." in response.content.decode()
    assert Invitation.objects.get(pk=acme.pk).revoked_at
    response = client.post(reverse("organization_portal:invitation_resend", args=[acme.pk]), follow=True)
    assert "This invitation to pat@acme.example was withdrawn. Invite them again" in response.content.decode()


def test_a_withdrawn_link_tells_the_contact_why(client, lhd_wake, acme):
    from cvms.accounts.services import invitation_link

    path = invitation_link(acme).split("://", 1)[1].split("/", 1)[1]
    client.force_login(lhd_wake)
    client.post(reverse("organization_portal:invitation_withdraw", args=[acme.pk]))
    client.logout()
    response = client.get("/" + path)
    assert response.status_code == 410
    assert "This invitation was withdrawn on" in response.content.decode()


def test_the_home_page_links_departments_and_coordinators_to_their_pages(client, lhd_wake, acme, acme_coordinator,
                                                                           state_reviewer):
    for user, wanted in ((lhd_wake, reverse("organization_portal:invited")),
                         (state_reviewer, reverse("organization_portal:invite")),
                         (acme_coordinator, reverse("organization_portal:team", args=[acme.organization_id]))):
        client.force_login(user)
        response = client.get(reverse("organization_portal:home"))
        assert response.status_code == 200 and wanted in response.content.decode()


@pytest.mark.parametrize("name", ["invited", "invite"])
def test_anonymous_people_are_sent_to_sign_in_and_others_refused(client, tenant_a, name):
    url = reverse(f"organization_portal:{name}")
    assert client.get(url).status_code == 302
    for user in (tenant_a.manager, tenant_a.employer_coordinator, tenant_a.recipient_user):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_wrong_methods_are_405(client, lhd_wake, acme):
    client.force_login(lhd_wake)
    assert client.post(reverse("organization_portal:invited")).status_code == 405
    assert client.put(reverse("organization_portal:invite")).status_code == 405
    assert client.get(reverse("organization_portal:invitation_resend", args=[acme.pk])).status_code == 405
    assert client.get(reverse("organization_portal:invitation_withdraw", args=[acme.pk])).status_code == 405


def test_another_countys_department_and_another_employers_coordinator_get_404(client, acme, lhd_durham, tenant_b):
    pages = [("get", reverse("organization_portal:team", args=[acme.organization_id])),
             ("post", reverse("organization_portal:team", args=[acme.organization_id])),
             ("post", reverse("organization_portal:invitation_resend", args=[acme.pk])),
             ("post", reverse("organization_portal:invitation_withdraw", args=[acme.pk]))]
    for user in (lhd_durham, tenant_b.employer_coordinator):
        client.force_login(user)
        for method, url in pages:
            assert getattr(client, method)(url, {"email": "x@example.com"}).status_code == 404, (user, url)
    assert not Invitation.objects.get(pk=acme.pk).revoked_at
    assert not Membership.objects.filter(role=Role.ORG_COORDINATOR, organization=acme.organization).exists()
    assert Invitation.objects.filter(organization=acme.organization).count() == 1


def test_state_staff_are_not_told_of_a_department_they_do_not_have(client, state_reviewer):
    client.force_login(state_reviewer)
    page = client.get(reverse("organization_portal:invite"))
    assert page.status_code == 200 and 'data-testid="served-counties"' not in page.content.decode()
