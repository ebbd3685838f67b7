"""HCP User Onboarding through the help desk: the page and its template, the file checked at
intake, and the agents' one-click processing in admin (invitations, rows not used, idempotence)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cvms.accounts.models import Invitation, Membership, Role
from cvms.core.models import AuditLog, OutboxMessage
from helpdesk.models import Case, CaseStatus, MessageKind, RequestType
from helpdesk.onboarding import COLUMNS, onboarding_case_open, onboarding_process
from helpdesk.tests.conftest import pdf

HEADER = "Name,Email,Location PIN,Role\n"


def template(rows: str = "", name: str = "people.csv", header: str = HEADER):
    return SimpleUploadedFile(name, (header + rows).encode(), content_type="text/csv")


def xlsx(rows, name="people.xlsx"):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in [COLUMNS, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def file_case(tenant, rows):
    return onboarding_case_open(actor=tenant.manager, file=template(rows), description="Two new vaccinators.",
                                provider_organization="Health System A")


@pytest.fixture
def two_people(tenant_a):
    pin = tenant_a.location.provider_pin
    return (f"Nora Nurse,nora.nurse@example.com,{pin.lower()},Healthcare Provider (vaccinator)\n"
            f"Frank Desk,frank.desk@example.com, {pin} ,front_desk\n")


# --- Intake

def test_a_provider_files_the_template_as_an_hcp_onboarding_case(tenant_a, two_people):
    case = file_case(tenant_a, two_people)
    assert (case.request_type, case.requester) == (RequestType.HCP_ONBOARDING, tenant_a.manager)
    (attachment,) = case.attachments.all()
    assert attachment.name == "people.csv"


@pytest.mark.parametrize(("upload", "message"), [
    (pdf(), "save it as .csv or .xlsx"),
    (template(header="First,Last,Email,PIN\n", rows="a,b,c,d\n"), "must be the template's header"),
    (template(), "lists nobody under the header row"),
    (template(rows="x,y,z,w\n", name="people.txt"), "save it as .csv or .xlsx"),
    (SimpleUploadedFile("people.xlsx", b"PK\x03\x04 not a workbook"), "not a file type"),
])
def test_a_file_that_is_not_the_template_is_refused_naming_it(tenant_a, upload, message):
    from cvms.core.errors import ServiceError

    with pytest.raises(ServiceError, match=message) as refused:
        onboarding_case_open(actor=tenant_a.manager, file=upload, description="People", provider_organization="A")
    assert refused.value.field == "file"
    assert not Case.objects.exists()


def test_a_file_over_the_row_limit_is_refused(tenant_a, settings):
    from cvms.core.errors import ServiceError

    settings.CVMS_ONBOARDING_MAX_ROWS = 2
    with pytest.raises(ServiceError, match="more than 2 people"):
        file_case(tenant_a, "a,a@example.com,X,Y\n" * 3)


def test_a_file_over_the_size_limit_is_refused(tenant_a, settings, two_people):
    from cvms.core.errors import ServiceError

    settings.CVMS_CASE_ATTACHMENT_MAX_BYTES = 20
    with pytest.raises(ServiceError, match="the limit is"):
        file_case(tenant_a, two_people)


# --- The page

def test_the_page_files_the_case_and_shows_its_number(client, tenant_a, two_people):
    client.force_login(tenant_a.manager)
    assert client.get(reverse("helpdesk:onboarding")).status_code == 200
    response = client.post(reverse("helpdesk:onboarding"), {
        "kind": "hcp", "provider_organization": "Health System A", "description": "Two new people.",
        "file": template(two_people)})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.number in client.get(response.url).content.decode()


def test_the_page_shows_a_bad_file_beside_the_field(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(reverse("helpdesk:onboarding"), {
        "kind": "hcp", "provider_organization": "Health System A", "description": "People", "file": template()})
    assert response.status_code == 400
    assert response.context["hcp_form"].errors["file"] == ["people.csv lists nobody under the header row."]


def test_the_page_refuses_anonymous_visitors_and_wrong_methods(client, tenant_a):
    assert client.get(reverse("helpdesk:onboarding")).status_code == 302
    client.force_login(tenant_a.manager)
    assert client.put(reverse("helpdesk:onboarding")).status_code == 405


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_downloads_with_its_header_row(client, kind, tenant_a):
    response = client.get(reverse(f"helpdesk:onboarding_template_{kind}"))
    assert response.status_code == 200
    assert f"hcp-user-onboarding-template.{kind}" in response["Content-Disposition"]
    from helpdesk.onboarding import onboarding_rows

    filled = response.content if kind == "xlsx" else response.content + b"A B,a@example.com,X,Y\n"
    if kind == "xlsx":
        from openpyxl import load_workbook

        assert [c.value for c in next(load_workbook(io.BytesIO(filled)).active.iter_rows())] == COLUMNS
    else:
        assert onboarding_rows(io.BytesIO(filled), name="t.csv") == [(2, ["A B", "a@example.com", "X", "Y"])]


# --- Processing

def test_processing_invites_each_person_at_the_location_and_answers_the_requester(agent, tenant_a, two_people):
    case = file_case(tenant_a, two_people)
    counts = onboarding_process(case=case, actor=agent)
    assert counts == {"invited": 2, "unchanged": 0, "failed": 0}
    invited = {(i.email, i.role, i.location_id) for i in Invitation.objects.filter(location=tenant_a.location)}
    assert invited == {("nora.nurse@example.com", Role.VACCINATOR, tenant_a.location.pk),
                       ("frank.desk@example.com", Role.FRONT_DESK, tenant_a.location.pk)}
    kinds = [m.kind for m in case.messages.all()]
    assert kinds == [MessageKind.INTERNAL, MessageKind.REPLY]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert AuditLog.objects.filter(action="helpdesk.case.onboarding_processed", actor=agent).exists()
    tasks = list(OutboxMessage.objects.values_list("task", flat=True))
    assert tasks.count("cvms.accounts.tasks.send_invitation") == 2
    assert "helpdesk.tasks.send_case_message" in tasks


def test_processing_a_file_twice_invites_nobody_twice(agent, tenant_a, two_people):
    case = file_case(tenant_a, two_people)
    onboarding_process(case=case, actor=agent)
    assert onboarding_process(case=case, actor=agent) == {"invited": 0, "unchanged": 2, "failed": 0}
    assert Invitation.objects.filter(location=tenant_a.location).count() == 2


def test_someone_who_already_has_an_account_gets_the_role_at_once(agent, tenant_a, tenant_b):
    case = file_case(tenant_a, f"Boss B,{tenant_b.manager.email},{tenant_a.location.provider_pin},Front Desk\n")
    onboarding_process(case=case, actor=agent)
    assert Membership.objects.active().filter(user=tenant_b.manager, role=Role.FRONT_DESK,
                                              location=tenant_a.location).exists()


def test_rows_that_cannot_be_used_are_reported_by_line_in_a_file_on_the_case(agent, tenant_a):
    pin = tenant_a.location.provider_pin
    rows = (f",nobody@example.com,{pin},Front Desk\n"
            f"Bad Mail,not-an-address,{pin},Front Desk\n"
            "No Place,np@example.com,ZZ999999,Front Desk\n"
            f"Boss,boss@example.com,{pin},Organization Administrator\n"
            f"Good One,good@example.com,{pin},Vaccinator\n"
            f"Good Again,good@example.com,{pin},vaccinator\n"
            f"{'x' * 300},long@example.com,{pin},Front Desk\n")
    case = file_case(tenant_a, rows)
    counts = onboarding_process(case=case, actor=agent)
    assert counts == {"invited": 1, "unchanged": 0, "failed": 6}
    note = case.messages.get(kind=MessageKind.INTERNAL)
    (report,) = note.attachments.all()
    text = report.file.open("rb").read().decode()
    for expected in ["Line 2: Name is missing.", "Line 3: Email:", "Line 4: Location PIN: no active location",
                     "Line 5: Role: Organization Administrator is not a provider location role",
                     "Line 7: The same person, location and role are on line 6.", "Line 8:"]:
        assert expected in text


def test_an_xlsx_template_is_processed_too(agent, tenant_a):
    case = onboarding_case_open(actor=tenant_a.manager, description="One.", provider_organization="A",
                                file=xlsx([["Xena Lx", "xena@example.com", tenant_a.location.provider_pin,
                                            "Healthcare Location Manager"]]))
    assert onboarding_process(case=case, actor=agent)["invited"] == 1


def test_only_agents_and_state_staff_process_a_file(tenant_a, two_people, state_reviewer):
    from cvms.core.errors import ServiceError

    case = file_case(tenant_a, two_people)
    with pytest.raises(ServiceError):
        onboarding_process(case=case, actor=tenant_a.manager)
    assert not Invitation.objects.filter(location=tenant_a.location).exists()
    assert onboarding_process(case=case, actor=state_reviewer)["invited"] == 2


def test_a_case_of_another_type_has_no_file_to_process(agent, provider_case):
    from cvms.core.errors import ServiceError

    with pytest.raises(ServiceError, match="no HCP User Onboarding file"):
        onboarding_process(case=provider_case, actor=agent)


# --- Admin

def test_an_agent_processes_the_file_with_the_admin_action(client, agent, tenant_a, two_people):
    case = file_case(tenant_a, two_people)
    client.force_login(agent)
    response = client.post(reverse("admin:helpdesk_case_changelist"),
                           {"action": "process_onboarding", "_selected_action": [case.pk]}, follow=True)
    assert "1 case changed." in response.content.decode()
    assert Invitation.objects.filter(location=tenant_a.location).count() == 2


def test_the_admin_action_shows_a_refusal_and_no_500(client, agent, provider_case):
    client.force_login(agent)
    response = client.post(reverse("admin:helpdesk_case_changelist"),
                           {"action": "process_onboarding", "_selected_action": [provider_case.pk]}, follow=True)
    assert response.status_code == 200
    assert "no HCP User Onboarding file" in response.content.decode()


def test_a_provider_cannot_reach_the_admin_action(client, tenant_a, two_people):
    case = file_case(tenant_a, two_people)
    client.force_login(tenant_a.manager)
    response = client.post(reverse("admin:helpdesk_case_changelist"),
                           {"action": "process_onboarding", "_selected_action": [case.pk]})
    assert response.status_code == 302 and "login" in response.url
    assert not Invitation.objects.filter(location=tenant_a.location).exists()


def test_a_file_of_endless_blank_rows_is_refused_without_reading_them_all(tenant_a, settings):
    from cvms.core.errors import ServiceError

    settings.CVMS_ONBOARDING_MAX_ROWS = 2
    with pytest.raises(ServiceError, match="more rows than the 2 people"):
        file_case(tenant_a, ",,,\n" * 5000 + "a,a@example.com,X,Y\n")


def test_another_requesters_onboarding_case_and_its_file_are_not_found(client, tenant_a, tenant_b, two_people):
    case = file_case(tenant_a, two_people)
    client.force_login(tenant_b.manager)
    assert client.get(reverse("helpdesk:case_detail", args=[case.number])).status_code == 404
    attachment = case.attachments.get()
    assert client.get(reverse("helpdesk:case_attachment", args=[case.number, attachment.pk])).status_code == 404


def test_the_template_is_only_read(client):
    assert client.post(reverse("helpdesk:onboarding_template_csv")).status_code == 405


def test_a_post_naming_no_form_is_refused_and_files_nothing(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.post(reverse("helpdesk:onboarding"), {"kind": "other"}).status_code == 400
    assert not Case.objects.exists()
