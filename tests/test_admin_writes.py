"""Admin is a front end: every write a help desk agent or state staff can make there goes through
a service and is audited, and nobody imports rows. The walk below finds every write each of them
can make in every registered admin (add, change, delete, actions, inline rows, import), so a new
one fails here until it is listed with a test that it is audited."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from import_export.admin import ImportMixin

from cvms.core.models import AuditLog
from cvms.organizations.models import Organization

#: Admin actions that only read (django-import-export's export of the selected rows).
READING_ACTIONS = {"export_admin_action"}

#: Lifting sign-in pauses: cvms/accounts/tests/test_pause_lifting.py checks it is audited.
LIFT_PAUSES = ("accounts.pausedsignin", "action lift_pauses")
#: Vaccine groups: cvms/eligibility/tests/test_admin.py checks each is audited or goes through a service.
VACCINE_GROUPS = {("eligibility.vaccinegroup", "add"), ("eligibility.vaccinegroup", "change"),
                  ("eligibility.vaccinegroup", "action open_groups"),
                  ("eligibility.vaccinegroup", "action close_groups"),
                  ("eligibility.vaccinegroup", "inline eligibility.groupcriterion")}
#: Correcting a record and resolving a request about it: cvms/recipients/tests/test_requests_admin.py.
RECIPIENT_REQUESTS = {("recipients.recipient", "change"), ("recipients.recipient", "action remove_recipients"),
                      ("recipients.recipientrequest", "change")}
#: Knowledge base articles, written through kb_article_save: helpdesk/tests/test_kb_admin.py.
KB_ARTICLES = {("helpdesk.knowledgearticle", "add"), ("helpdesk.knowledgearticle", "change")}
#: Working help desk cases, each step through its service: helpdesk/tests/test_admin.py.
CASES = {("helpdesk.case", "change"), ("helpdesk.case", "action assign_to_me"),
         ("helpdesk.case", "action close_resolved")}
#: Downtime notices: cvms/core/tests/test_downtime.py checks each goes through cvms.core.downtime, audited.
DOWNTIME = {("core.downtimenotice", "add"), ("core.downtimenotice", "change"), ("core.downtimenotice", "delete"),
            ("core.downtimenotice", "action delete_selected")}
#: Processing an HCP User Onboarding file and loading a recipient file, through their services:
#: helpdesk/tests/test_onboarding.py and test_recipient_files.py.
ONBOARDING = {("helpdesk.case", "action process_onboarding"), ("helpdesk.case", "action load_recipient_file")}
#: Resending a record to the state registry, through vxu_submission_resend:
#: cvms/reporting/tests/test_vxusend_admin.py.
RESEND = ("reporting.registrysubmission", "action resend")
EXPECTED_WRITES = {
    "agent": {*RECIPIENT_REQUESTS, LIFT_PAUSES, *KB_ARTICLES, *CASES, *ONBOARDING},
    "state_reviewer": {("organizations.organization", "change"), ("organizations.location", "change"), LIFT_PAUSES,
                       *VACCINE_GROUPS, *RECIPIENT_REQUESTS, *KB_ARTICLES, *CASES, *DOWNTIME, *ONBOARDING, RESEND},
}


def _writes(user) -> set[tuple[str, str]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    found = set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        for write, allowed in (("add", model_admin.has_add_permission(request)),
                               ("change", model_admin.has_change_permission(request)),
                               ("delete", model_admin.has_delete_permission(request)),
                               ("import", isinstance(model_admin, ImportMixin))):
            if allowed:
                found.add((label, write))
        if model_admin.has_view_or_change_permission(request):  # actions run from the list
            found |= {(label, f"action {name}") for name in model_admin.get_actions(request)
                      if name not in READING_ACTIONS}
        for inline in model_admin.get_inline_instances(request):
            if (inline.has_add_permission(request, None) or inline.has_change_permission(request)
                    or inline.has_delete_permission(request)):
                found.add((label, f"inline {inline.model._meta.label_lower}"))
    return found


@pytest.mark.parametrize("actor", sorted(EXPECTED_WRITES))
def test_every_admin_write_of_agents_and_state_staff_is_one_known_to_be_audited(request, actor):
    assert _writes(request.getfixturevalue(actor)) == EXPECTED_WRITES[actor]


def test_no_admin_offers_import():
    importing = [m._meta.label_lower for m, a in admin.site._registry.items() if isinstance(a, ImportMixin)]
    assert importing == []
    with pytest.raises(NoReverseMatch):
        reverse("admin:organizations_organization_import")


@pytest.mark.parametrize("actor", ["agent", "state_reviewer"])
def test_posting_a_file_to_the_old_import_address_creates_nothing(client, request, actor):
    client.force_login(request.getfixturevalue(actor))
    upload = ("organizations.csv", b"id,name,kind\n,Imported Org,employer\n", "text/csv")
    response = client.post("/admin/organizations/organization/import/",
                           {"import_file": SimpleUploadedFile(*upload), "format": "0"})
    assert response.status_code in (302, 403, 404)
    assert not Organization.objects.filter(name="Imported Org").exists()


def _change(client, url, **changes):
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()
            if name in form.fields}
    data = {name: (list(value) if isinstance(value, list | tuple) else value) for name, value in data.items()}
    data.update({"storage_units-TOTAL_FORMS": 0, "storage_units-INITIAL_FORMS": 0, **changes})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_agent_corrects_a_recipient_through_the_service(client, agent, tenant_a):
    client.force_login(agent)
    _change(client, reverse("admin:recipients_recipient_change", args=[tenant_a.recipient.pk]),
            first_name="Ritta", phone="(919) 555-0100")
    entry = AuditLog.objects.get(action="registry.recipient.updated")
    assert entry.actor == agent
    assert entry.changes == {"first_name": ["RitaA", "Ritta"], "phone": ["", "9195550100"]}


def test_agent_correction_that_makes_a_duplicate_is_refused_with_a_message(client, agent, tenant_a):
    from cvms.recipients.tests.factories import RecipientFactory

    twin = RecipientFactory(first_name="Twin", last_name=tenant_a.recipient.last_name,
                            date_of_birth=tenant_a.recipient.date_of_birth)
    client.force_login(agent)
    url = reverse("admin:recipients_recipient_change", args=[twin.pk])
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    response = client.post(url, {**data, "first_name": tenant_a.recipient.first_name.upper()})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not AuditLog.objects.filter(action="registry.recipient.updated").exists()


def test_agent_removes_recipients_with_a_reason_and_the_count_reads_right(client, agent, tenant_a):
    client.force_login(agent)
    loaded = tenant_a.upload.location.loaded_recipients.get(first_name="UpA")
    response = client.post(reverse("admin:recipients_recipient_changelist"), {
        "action": "remove_recipients", "_selected_action": [loaded.pk], "reason": "Case 9"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["1 recipient removed."]
    assert AuditLog.objects.get(action="registry.recipient.removed").actor == agent


@pytest.mark.parametrize(("model", "field", "value", "action"), [
    ("organization", "name", "Renamed Health", "registry.organization.updated"),
    ("location", "hours", "Mon–Fri 8–5", "registry.location.updated"),
])
def test_state_staff_change_organizations_and_locations_through_the_services(client, state_reviewer, tenant_a, model,
                                                                             field, value, action):
    client.force_login(state_reviewer)
    target = getattr(tenant_a, model)
    _change(client, reverse(f"admin:organizations_{model}_change", args=[target.pk]), **{field: value})
    entry = AuditLog.objects.get(action=action)
    assert entry.actor == state_reviewer and entry.changes == {field: [getattr(target, field), value]}


def test_state_staff_cannot_change_what_approval_owns(client, state_reviewer, tenant_a):
    client.force_login(state_reviewer)
    url = reverse("admin:organizations_location_change", args=[tenant_a.location.pk])
    _change(client, url, provider_pin="NCA999999", is_active="")
    tenant_a.location.refresh_from_db()
    assert tenant_a.location.provider_pin != "NCA999999" and tenant_a.location.is_active


@pytest.fixture
def ops(db):
    from cvms.accounts.tests.factories import UserFactory

    return UserFactory(email="ops@example.com", is_staff=True, is_superuser=True)


def test_ops_grant_and_revoke_roles_through_the_services(client, ops, tenant_a):
    from cvms.accounts.models import Membership, Role
    from cvms.accounts.tests.factories import UserFactory

    nurse = UserFactory(email="nurse@example.com")
    client.force_login(ops)
    response = client.post(reverse("admin:accounts_membership_add"), {
        "user": nurse.pk, "role": Role.VACCINATOR, "location": tenant_a.location.pk})
    assert response.status_code == 302
    membership = Membership.objects.get(user=nurse)
    assert membership.organization == tenant_a.organization
    assert AuditLog.objects.get(action="accounts.membership.granted", object_id=str(membership.pk)).actor == ops
    response = client.post(reverse("admin:accounts_membership_changelist"), {
        "action": "revoke_memberships", "_selected_action": [membership.pk]}, follow=True)
    assert "1 membership revoked." in [str(m) for m in response.context["messages"]]
    assert AuditLog.objects.get(action="accounts.membership.revoked").actor == ops


def test_a_location_role_without_a_location_is_refused_with_the_field_named(client, ops):
    from cvms.accounts.models import Role
    from cvms.accounts.tests.factories import UserFactory

    client.force_login(ops)
    response = client.post(reverse("admin:accounts_membership_add"), {
        "user": UserFactory(email="x@example.com").pk, "role": Role.VACCINATOR})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["location"] == ["Choose the location where this role is held."]


def test_ops_add_users_through_the_service_and_password_changes_are_audited(client, ops):
    from cvms.accounts.models import User

    client.force_login(ops)
    response = client.post(reverse("admin:accounts_user_add"), {
        "username": "new@example.com", "email": "new@example.com", "password1": "a-Long-pass-2021",
        "password2": "a-Long-pass-2021", "usable_password": "true", "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0})
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new@example.com")
    assert user.emailaddress_set.filter(email="new@example.com").exists()
    assert AuditLog.objects.get(action="accounts.user.created").actor == ops
    response = client.post(reverse("admin:auth_user_password_change", args=[user.pk]), {
        "password1": "b-Long-pass-2022", "password2": "b-Long-pass-2022", "usable_password": "true"})
    assert response.status_code == 302
    assert AuditLog.objects.get(action="admin.accounts.user.password_set").actor == ops


def test_user_roles_and_groups_are_read_only_in_admin(client, ops, agent):
    client.force_login(ops)
    form = client.get(reverse("admin:accounts_user_change", args=[agent.pk])).context["adminform"].form
    assert "groups" not in form.fields and "is_staff" not in form.fields
