"""From a case in admin an agent links the recipient it concerns, corrects that record or removes
it, through the recipients' services (audited) with a note on the case; a case that follows an
employer's removal request answers the request too."""

import datetime

from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.immunizations.tests.history_fixtures import give, receive
from cvms.recipients import choices as rc
from cvms.recipients.models import Recipient
from cvms.recipients.requests import employee_removal_request_open
from cvms.recipients.tests.factories import RecipientFactory
from helpdesk.case_recipient import case_recipient_link
from helpdesk.models import Case, CaseStatus, MessageKind
from helpdesk.services import case_open, case_resolve
from helpdesk.tests.test_admin import _work


def _case_about(tenant, recipient, agent, request_type="recipient_correction"):
    case = case_open(actor=tenant.manager, channel="provider", request_type=request_type,
                     description="Please fix this person's record.", provider_organization="Health System A")
    return case_recipient_link(case=case, actor=agent, recipient=recipient)


def _correction(recipient, **changes):
    data = {"first_name": recipient.first_name, "last_name": recipient.last_name,
            "date_of_birth": recipient.date_of_birth.isoformat(), "sex": recipient.sex, "email": recipient.email,
            "phone": recipient.phone, "address_line1": recipient.address_line1,
            "address_line2": recipient.address_line2, "city": recipient.city, "state": recipient.state,
            "zip_code": recipient.zip_code, "county": recipient.county}
    return {**data, **changes}


def test_an_agent_links_the_case_to_a_recipient_and_sees_the_tools(client, agent, tenant_a, provider_case):
    client.force_login(agent)
    assert _work(client, provider_case, recipient=tenant_a.recipient.pk).status_code == 302
    provider_case.refresh_from_db()
    assert provider_case.recipient == tenant_a.recipient
    assert AuditLog.objects.filter(actor=agent, action="helpdesk.case.recipient_linked").exists()
    page = client.get(reverse("admin:helpdesk_case_change", args=[provider_case.pk])).content.decode()
    assert reverse("admin:helpdesk_case_recipient_correct", args=[provider_case.pk]) in page
    assert reverse("admin:helpdesk_case_recipient_remove", args=[provider_case.pk]) in page


def test_a_refused_step_leaves_the_assignee_and_recipient_as_they_were(client, agent, tenant_a, provider_case):
    client.force_login(agent)
    _work(client, provider_case, assignee=agent.pk, recipient=tenant_a.recipient.pk, work="close")
    provider_case.refresh_from_db()
    assert (provider_case.assignee, provider_case.recipient, provider_case.status) == (None, None, CaseStatus.NEW)


def test_an_agent_corrects_the_record_through_the_service_and_the_case_notes_it(client, agent, tenant_a):
    recipient = tenant_a.recipient
    case = _case_about(tenant_a, recipient, agent)
    client.force_login(agent)
    url = reverse("admin:helpdesk_case_recipient_correct", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _correction(recipient, last_name="Recipient-Smith", date_of_birth="1980-02-03"))
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert (recipient.last_name, recipient.date_of_birth) == ("Recipient-Smith", datetime.date(1980, 2, 3))
    entry = AuditLog.objects.get(actor=agent, action="registry.recipient.updated")
    assert set(entry.changes) == {"last_name", "date_of_birth"}
    note = case.messages.get(kind=MessageKind.INTERNAL)
    assert "legal last name" in note.body and "date of birth" in note.body
    assert AuditLog.objects.filter(action="helpdesk.case.recipient_corrected", object_id=str(case.pk)).exists()


def test_a_bad_or_unchanged_correction_names_the_problem_and_saves_nothing(client, agent, tenant_a):
    recipient = tenant_a.recipient
    case = _case_about(tenant_a, recipient, agent)
    other = RecipientFactory(first_name="Other", last_name="Person", date_of_birth=datetime.date(1970, 1, 1))
    client.force_login(agent)
    url = reverse("admin:helpdesk_case_recipient_correct", args=[case.pk])
    bad = client.post(url, _correction(recipient, email="not-an-email", date_of_birth="31/31/1990"))
    assert bad.status_code == 200 and bad.context["form"].errors.keys() >= {"email", "date_of_birth"}
    same = client.post(url, _correction(recipient))
    assert "Nothing was changed" in same.content.decode()
    twin = client.post(url, _correction(recipient, first_name="Other", last_name="Person",
                                        date_of_birth="1970-01-01"))
    assert twin.status_code == 200 and twin.context["form"].errors
    recipient.refresh_from_db()
    assert recipient.last_name == tenant_a.recipient.last_name and other.pk
    assert not case.messages.exists()


def test_an_agent_removes_a_record_without_doses_and_the_case_keeps_a_note(client, agent, tenant_a):
    recipient = RecipientFactory(source_location=tenant_a.location)
    case = _case_about(tenant_a, recipient, agent, request_type="recipient_removal")
    client.force_login(agent)
    url = reverse("admin:helpdesk_case_recipient_remove", args=[case.pk])
    assert str(recipient) in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Recipient.objects.filter(pk=recipient.pk).exists()
    case.refresh_from_db()
    assert case.recipient is None and case.status != CaseStatus.CLOSED
    assert str(recipient) in case.messages.get(kind=MessageKind.INTERNAL).body
    removal = AuditLog.objects.get(action="registry.recipient.removed")
    assert removal.actor == agent and case.number in removal.changes["reason"]


def test_a_record_with_a_dose_is_not_removed_and_the_agent_is_told_why(client, agent, tenant_a):
    recipient = RecipientFactory()
    give(tenant_a, receive(tenant_a, "LOT-RM"), timezone.now() - datetime.timedelta(hours=1), recipient=recipient)
    case = _case_about(tenant_a, recipient, agent, request_type="recipient_removal")
    client.force_login(agent)
    response = client.post(reverse("admin:helpdesk_case_recipient_remove", args=[case.pk]), follow=True)
    assert "immunization records cannot be removed" in response.content.decode()
    assert Recipient.objects.filter(pk=recipient.pk).exists() and not case.messages.exists()


def test_removing_from_a_case_that_follows_an_employers_request_answers_the_request(client, agent, tenant_a):
    request = employee_removal_request_open(employer=tenant_a.employer, recipient=tenant_a.recipient,
                                            actor=tenant_a.employer_coordinator, reason="Left the company")
    case = Case.objects.get(recipient_request=request)
    client.force_login(agent)
    client.post(reverse("admin:helpdesk_case_recipient_remove", args=[case.pk]))
    request.refresh_from_db()
    case.refresh_from_db()
    assert request.status == rc.RequestStatus.DONE and case.number in request.note
    assert case.status == CaseStatus.RESOLVED and case.recipient is None
    assert not Recipient.objects.filter(pk=tenant_a.recipient.pk).exists()


def test_the_tools_refuse_a_resolved_case_and_people_who_do_not_work_cases(client, agent, tenant_a, tenant_b):
    case = _case_about(tenant_a, tenant_a.recipient, agent)
    url = reverse("admin:helpdesk_case_recipient_remove", args=[case.pk])
    for outsider in (tenant_b.manager, tenant_a.manager, tenant_b.org_admin):
        client.force_login(outsider)
        assert client.post(url).status_code in (302, 403)
        assert Recipient.objects.filter(pk=tenant_a.recipient.pk).exists()
    case_resolve(case=case, actor=agent, notes="Fixed by phone.")
    client.force_login(agent)
    response = client.post(url, follow=True)
    assert "is resolved or closed" in response.content.decode()
    assert Recipient.objects.filter(pk=tenant_a.recipient.pk).exists()


def test_an_agent_finds_the_recipient_by_name_on_the_case_page(client, agent, tenant_a, provider_case):
    client.force_login(agent)
    found = client.get("/admin/autocomplete/", {"app_label": "helpdesk", "model_name": "case",
                                                 "field_name": "recipient", "term": "RitaA"})
    assert found.status_code == 200
    assert [r["id"] for r in found.json()["results"]] == [str(tenant_a.recipient.pk)]
