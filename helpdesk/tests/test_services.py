"""Cases: numbered, opened by providers and recipients, worked by agents through conditional
transitions, every change audited, the requester emailed (in their language) once each commit."""

import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connection

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from helpdesk.models import GENERIC_PROVIDER, Case, CaseStatus, MessageKind
from helpdesk.services import (
    case_assign,
    case_close,
    case_confirmation_send,
    case_info_request,
    case_message_send,
    case_note,
    case_open,
    case_priority_set,
    case_reply,
    case_requester_reply,
    case_resolve,
    provider_organization_default,
)
from helpdesk.tests.conftest import pdf


def _recipient_case(**changes):
    fields = {"actor": None, "channel": "recipient", "request_type": "vaccine_record",
              "description": "My second dose is missing.", "requester_name": "Rosa Díaz",
              "requester_email": "rosa@example.com", "language": "es"}
    fields.update(changes)
    return case_open(**fields)


def _actions(case):
    return list(AuditLog.objects.filter(object_id=str(case.pk), action__startswith="helpdesk.case.")
                .order_by("id").values_list("action", flat=True))


def test_a_case_gets_a_readable_unique_number_and_a_due_time_by_priority(provider_case, settings):
    other = _recipient_case()
    assert provider_case.number.startswith("CS") and len(provider_case.number) == 9
    assert int(other.number[2:]) > int(provider_case.number[2:])
    hours = (provider_case.due_at - provider_case.created_at).total_seconds() / 3600
    assert round(hours) == settings.CVMS_CASE_DUE_HOURS_NORMAL
    assert provider_case.status == CaseStatus.NEW and _actions(provider_case) == ["helpdesk.case.opened"]


def test_raising_the_priority_brings_the_due_time_forward(provider_case, agent, settings):
    settings.CVMS_CASE_DUE_HOURS_HIGH = 2
    case = case_priority_set(case=provider_case, actor=agent, priority="high")
    assert round((case.due_at - case.created_at).total_seconds() / 3600) == 2
    assert "helpdesk.case.prioritized" in _actions(case)


def test_the_first_case_needs_the_primary_organization_and_later_ones_default_to_it(tenant_a):
    manager = tenant_a.manager
    assert provider_organization_default(user=manager) == GENERIC_PROVIDER
    with pytest.raises(ServiceError) as refusal:
        case_open(actor=manager, channel="provider", request_type="other", description="Help",
                  provider_organization=GENERIC_PROVIDER)
    assert refusal.value.field == "provider_organization"
    first = case_open(actor=manager, channel="provider", request_type="other", description="Help",
                      provider_organization="  Wake  Family   Clinic ")
    assert (first.provider_organization, first.secondary_organization) == ("Wake Family Clinic", False)
    assert provider_organization_default(user=manager) == "Wake Family Clinic"
    again = case_open(actor=manager, channel="provider", request_type="other", description="Help")
    assert (again.provider_organization, again.secondary_organization) == ("Wake Family Clinic", False)
    other = case_open(actor=manager, channel="provider", request_type="other", description="Help",
                      provider_organization="Durham Urgent Care")
    assert (other.provider_organization, other.secondary_organization) == ("Durham Urgent Care", True)
    assert provider_organization_default(user=manager) == "Wake Family Clinic"


def test_the_requester_is_emailed_the_case_number_once(provider_case, tenant_a):
    assert case_confirmation_send(case_id=provider_case.pk) is True
    assert case_confirmation_send(case_id=provider_case.pk) is False  # a retried task sends nothing more
    (sent,) = mail.outbox
    assert sent.to == [tenant_a.manager.email] and provider_case.number in sent.subject
    assert f"/helpdesk/cases/{provider_case.number}/" in sent.body


def test_a_recipient_with_a_phone_only_is_not_emailed(db):
    case = _recipient_case(requester_email="", requester_phone="(919) 555-0100")
    assert case.requester_phone == "9195550100"
    assert case_confirmation_send(case_id=case.pk) is False and not mail.outbox


@pytest.mark.parametrize("changes,field", [
    ({"requester_email": "", "requester_phone": ""}, "requester_email"),
    ({"requester_email": "not-an-address"}, "requester_email"),
    ({"requester_phone": "555"}, "requester_phone"),
    ({"requester_name": ""}, "requester_name"),
    ({"requester_name": "Rоsa Díaz"}, "requester_name"),  # a Cyrillic "о"
    ({"description": "x" * 4001}, "description"),
    ({"description": "nul\x00byte"}, "description"),
    ({"description": "evil\u202egnp.exe"}, "description"),
    ({"description": "   \n  "}, "description"),
    ({"request_type": "pizza"}, "request_type"),
])
def test_bad_recipient_input_is_refused_naming_the_field(db, changes, field):
    with pytest.raises(ServiceError) as refusal:
        _recipient_case(**changes)
    assert refusal.value.field == field and str(refusal.value)
    assert not Case.objects.exists()


def test_a_description_keeps_its_line_breaks(db):
    case = _recipient_case(description="Line one\r\nLine two")
    assert case.description == "Line one\nLine two"


def test_the_database_refuses_a_case_nobody_can_be_answered_on(provider_case):
    with pytest.raises(IntegrityError):
        Case.objects.filter(pk=provider_case.pk).update(requester=None)


def test_the_database_refuses_a_resolved_case_without_a_time(provider_case):
    with pytest.raises(IntegrityError):
        Case.objects.filter(pk=provider_case.pk).update(status=CaseStatus.RESOLVED)


def test_the_whole_workflow_is_audited_and_emails_the_requester(provider_case, agent, tenant_a):
    case = case_assign(case=provider_case, actor=agent, assignee=agent)
    assert (case.status, case.assignee) == (CaseStatus.IN_PROGRESS, agent)
    case_note(case=case, actor=agent, body="Checked the ledger: the count is right.")
    asked = case_info_request(case=case, actor=agent, body="Which storage unit?")
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_INFO
    reply = case_requester_reply(case=case, actor=tenant_a.manager, body="The freezer.", attachments=[pdf()])
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and reply.attachments.get().name == "letter.pdf"
    case = case_resolve(case=case, actor=agent, notes="Corrected the count.")
    assert case.status == CaseStatus.RESOLVED and case.resolved_at
    case = case_close(case=case, actor=agent)
    assert case.status == CaseStatus.CLOSED and case.closed_at
    assert _actions(case) == ["helpdesk.case.opened", "helpdesk.case.assigned", "helpdesk.case.noted",
                              "helpdesk.case.info_requested", "helpdesk.case.requester_replied",
                              "helpdesk.case.attached", "helpdesk.case.resolved", "helpdesk.case.closed"]
    emailed = [m for m in case.messages.all() if case_message_send(message_id=m.pk)]
    assert [m.kind for m in emailed] == [MessageKind.INFO_REQUEST, MessageKind.RESOLUTION]
    assert asked.body in mail.outbox[0].body and "Corrected the count." in mail.outbox[1].body
    assert all(m.to == [tenant_a.manager.email] for m in mail.outbox)
    assert not case_message_send(message_id=emailed[1].pk)  # once


def test_the_resolution_is_emailed_in_the_requesters_language(agent, db):
    case = _recipient_case()
    resolved = case_resolve(case=case, actor=agent, notes="Añadimos su segunda dosis.")
    assert case_message_send(message_id=resolved.messages.get(kind="resolution").pk)
    (sent,) = mail.outbox
    assert sent.to == ["rosa@example.com"] and '<html lang="es">' in sent.alternatives[0][0]
    assert "Añadimos su segunda dosis." in sent.body


def test_the_requester_cannot_reply_unless_asked(provider_case, tenant_a):
    with pytest.raises(ServiceError):
        case_requester_reply(case=provider_case, actor=tenant_a.manager, body="Any news?")
    assert provider_case.messages.count() == 0


def test_a_closed_case_cannot_be_reopened_or_resolved_again(provider_case, agent):
    case = case_close(case=case_resolve(case=provider_case, actor=agent, notes="Done."), actor=agent)
    for change in (lambda: case_resolve(case=case, actor=agent, notes="Again"),
                   lambda: case_info_request(case=case, actor=agent, body="?"),
                   lambda: case_reply(case=case, actor=agent, body="Hello"),
                   lambda: case_close(case=case, actor=agent)):
        with pytest.raises(ServiceError):
            change()


def test_only_agents_work_cases_and_only_agents_are_assigned(provider_case, tenant_a, agent):
    with pytest.raises(ServiceError):
        case_resolve(case=provider_case, actor=tenant_a.manager, notes="I fixed it myself")
    with pytest.raises(ServiceError) as refusal:
        case_assign(case=provider_case, actor=agent, assignee=tenant_a.manager)
    assert refusal.value.field == "assignee"


def test_state_staff_may_work_cases_too(provider_case, state_reviewer, agent):
    membership_grant(user=state_reviewer, role=Role.HELPDESK_AGENT)
    case_assign(case=provider_case, actor=state_reviewer, assignee=state_reviewer)


@pytest.mark.parametrize("name,content,problem", [
    ("huge.pdf", b"%PDF-" + b"x" * 2048, "limit"),
    ("run.exe", b"MZ" + b"\0" * 100, "file type"),
    ("invoice.pdf", b"MZ\x90\x00" + b"\0" * 100, "file type"),  # a program renamed
    ("list.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "file type"),
    ("empty.pdf", b"", "empty"),
])
def test_a_bad_attachment_is_refused_naming_the_file(agent, db, settings, name, content, problem):
    settings.CVMS_CASE_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ServiceError) as refusal:
        _recipient_case(attachments=[pdf(name, content)])
    assert refusal.value.field == "attachments" and problem in str(refusal.value)
    assert name in str(refusal.value) and not Case.objects.exists()


def test_too_many_attachments_are_refused(db, settings):
    settings.CVMS_CASE_ATTACHMENTS_PER_MESSAGE = 1
    with pytest.raises(ServiceError) as refusal:
        _recipient_case(attachments=[pdf(), pdf("two.pdf")])
    assert refusal.value.field == "attachments"


def test_an_attachment_name_is_made_safe_and_stored_under_a_random_one(db):
    case = _recipient_case(attachments=[pdf("../../etc/pass\x00wd<script>.pdf")])
    attachment = case.attachments.get()
    assert attachment.name == "passwdscript.pdf"
    assert "passwd" not in attachment.file.name and case.number in attachment.file.name
    assert attachment.file.read().startswith(b"%PDF")


def test_a_case_that_fails_after_its_files_are_written_leaves_no_file_behind(db, settings, monkeypatch):
    import pathlib

    import helpdesk.services

    def broken(**kwargs):
        raise RuntimeError("the outbox is unreachable")

    monkeypatch.setattr(helpdesk.services, "outbox_enqueue", broken)
    with pytest.raises(RuntimeError):
        _recipient_case(attachments=[pdf(), pdf("two.pdf")])
    assert not Case.objects.exists()
    assert not [path for path in pathlib.Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_csv_attachment_is_accepted_as_text(db):
    case = _recipient_case(attachments=[pdf("staff.csv", b"FirstName,LastName\nAna,Lopez\n")])
    assert case.attachments.get().content_type == "text/csv"


@pytest.mark.django_db(transaction=True)
def test_two_agents_resolving_at_once_resolve_it_once(tenant_a, agent):
    case = case_open(actor=tenant_a.manager, channel="provider", request_type="other", description="Help",
                     provider_organization="Health System A")
    barrier, outcomes = threading.Barrier(2), []

    def resolve():
        try:
            barrier.wait()
            case_resolve(case=Case.objects.get(pk=case.pk), actor=agent, notes="Done")
            outcomes.append("resolved")
        except ServiceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=resolve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "resolved"]
    assert Case.objects.get(pk=case.pk).messages.filter(kind="resolution").count() == 1


def test_a_failed_send_is_tried_again_by_the_retry(provider_case, monkeypatch):
    import smtplib

    from django.core.mail import EmailMultiAlternatives

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with pytest.raises(smtplib.SMTPException):
        case_confirmation_send(case_id=provider_case.pk)
    monkeypatch.undo()
    assert case_confirmation_send(case_id=provider_case.pk) is True and len(mail.outbox) == 1


def test_a_recipient_a_case_is_about_can_still_be_removed(tenant_a, agent):
    from cvms.recipients.services import recipient_remove

    loaded = tenant_a.upload.location.loaded_recipients.get(first_name="UpA")
    case = case_open(actor=tenant_a.manager, channel="provider", request_type="recipient_removal",
                     description="Please remove UpA.", provider_organization="Health System A", recipient=loaded)
    recipient_remove(recipient=loaded, actor=agent, reason=case.number)
    case.refresh_from_db()
    assert case.recipient is None and case.description == "Please remove UpA."
