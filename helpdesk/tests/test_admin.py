"""Agents work cases in admin: queues, assignment, priority, replies, requests for information,
internal notes, resolution and closing, each through the services and audited; the index counts
cases by status and type; files are served to who may see cases; export is formula-safe."""

from django.urls import reverse

from cvms.accounts.tests.factories import UserFactory
from cvms.core.models import AuditLog
from helpdesk.models import CaseStatus, MessageKind
from helpdesk.services import case_info_request, case_requester_reply
from helpdesk.tests.conftest import pdf


def _work(client, case, **changes):
    url = reverse("admin:helpdesk_case_change", args=[case.pk])
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data.update({"messages-TOTAL_FORMS": 0, "messages-INITIAL_FORMS": 0, **changes})
    return client.post(url, data)


def test_an_agent_sees_the_queue_by_request_type(client, agent, provider_case):
    client.force_login(agent)
    url = reverse("admin:helpdesk_case_changelist")
    assert provider_case.number in client.get(url, {"request_type__exact": "inventory"}).content.decode()
    assert provider_case.number not in client.get(url, {"request_type__exact": "reports"}).content.decode()
    assert provider_case.number not in client.get(url, {"open": "overdue"}).content.decode()  # due tomorrow
    assert provider_case.number in client.get(url, {"open": "yes", "assigned": "none"}).content.decode()
    assert provider_case.number not in client.get(url, {"assigned": "me"}).content.decode()


def test_an_agent_assigns_asks_for_information_and_notes_through_the_services(client, agent, provider_case):
    client.force_login(agent)
    assert _work(client, provider_case, assignee=agent.pk, priority="high").status_code == 302
    provider_case.refresh_from_db()
    assert (provider_case.assignee, provider_case.priority, provider_case.status) == (agent, "high",
                                                                                     CaseStatus.IN_PROGRESS)
    _work(client, provider_case, work="info_request", text="Which storage unit?")
    _work(client, provider_case, work="internal", text="Probably the freezer.")
    provider_case.refresh_from_db()
    assert provider_case.status == CaseStatus.AWAITING_INFO
    assert [m.kind for m in provider_case.messages.all()] == [MessageKind.INFO_REQUEST, MessageKind.INTERNAL]
    actions = set(AuditLog.objects.filter(actor=agent).values_list("action", flat=True))
    assert {"helpdesk.case.assigned", "helpdesk.case.prioritized", "helpdesk.case.info_requested",
            "helpdesk.case.noted"} <= actions


def test_a_refused_step_is_shown_as_an_error_and_changes_nothing(client, agent, provider_case):
    client.force_login(agent)
    response = _work(client, provider_case, work="close")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "cannot be changed that way" in page
    provider_case.refresh_from_db()
    assert provider_case.status == CaseStatus.NEW


def test_a_message_without_a_step_is_refused(client, agent, provider_case):
    client.force_login(agent)
    response = _work(client, provider_case, text="Hello?")
    assert "Work on the case" in client.get(response.url).content.decode()
    assert not provider_case.messages.exists()


def test_an_agent_resolves_and_closes_from_the_list(client, agent, provider_case):
    client.force_login(agent)
    _work(client, provider_case, work="resolve", text="Corrected the count.")
    provider_case.refresh_from_db()
    assert provider_case.status == CaseStatus.RESOLVED
    response = client.post(reverse("admin:helpdesk_case_changelist"), {
        "action": "close_resolved", "_selected_action": [provider_case.pk]}, follow=True)
    assert "1 case changed." in [str(m) for m in response.context["messages"]]
    provider_case.refresh_from_db()
    assert provider_case.status == CaseStatus.CLOSED


def test_assign_to_me_from_the_list(client, agent, provider_case):
    client.force_login(agent)
    client.post(reverse("admin:helpdesk_case_changelist"), {"action": "assign_to_me",
                                                            "_selected_action": [provider_case.pk]})
    provider_case.refresh_from_db()
    assert provider_case.assignee == agent


def test_the_admin_index_counts_cases_by_status_and_type(client, agent, provider_case):
    client.force_login(agent)
    body = client.get(reverse("admin:index")).content.decode()
    assert 'data-testid="count-new">1<' in body and 'data-testid="count-inventory">1<' in body


def test_the_index_shows_no_counts_to_staff_without_cases(client, tenant_a):
    client.force_login(UserFactory(email="ops@example.com", is_staff=True))
    assert "helpdesk-case-counts" not in client.get(reverse("admin:index")).content.decode()


def test_a_case_page_shows_age_due_time_notes_and_files(client, agent, provider_case, tenant_a):
    case_info_request(case=provider_case, actor=agent, body="Send the log.")
    case_requester_reply(case=provider_case, actor=tenant_a.manager, body="Here.", attachments=[pdf("log.pdf")])
    client.force_login(agent)
    body = client.get(reverse("admin:helpdesk_case_change", args=[provider_case.pk])).content.decode()
    assert "Send the log." in body and "log.pdf" in body and "age" in body.lower()
    attachment = provider_case.attachments.get()
    download = client.get(reverse("admin:helpdesk_case_attachment", args=[provider_case.pk, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_staff_who_may_not_see_cases_get_no_file(client, provider_case, tenant_a, agent):
    case_info_request(case=provider_case, actor=agent, body="?")
    case_requester_reply(case=provider_case, actor=tenant_a.manager, body="x", attachments=[pdf()])
    attachment = provider_case.attachments.get()
    client.force_login(UserFactory(email="ops@example.com", is_staff=True))
    url = reverse("admin:helpdesk_case_attachment", args=[provider_case.pk, attachment.pk])
    assert client.get(url).status_code == 403
    client.force_login(tenant_a.manager)
    assert client.get(url).status_code == 302  # not staff: admin's sign-in

