"""Requests about a recipient record: opened by the recipient (at most a few open at once),
resolved once by staff with a note, the recipient emailed in their language; all audited."""

import threading

import pytest
from django.core import mail
from django.db import connection

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.recipients.models import RecipientRequest
from cvms.recipients.requests import (
    TooManyOpenRequests,
    recipient_request_open,
    recipient_request_resolve,
    request_resolved_email_send,
)


def _ask(tenant, **changes):
    fields = {"subject": "name", "details": "My last name is misspelled", "wanted": "Recipient-Smith"}
    fields.update(changes)
    return recipient_request_open(recipient=tenant.recipient, actor=tenant.recipient_user, **fields)


def test_a_recipient_opens_a_correction_request_audited(tenant_a):
    request = _ask(tenant_a)
    assert (request.kind, request.status, request.requested_by) == ("correction", "open", tenant_a.recipient_user)
    assert AuditLog.objects.filter(action="recipients.request.opened", object_id=str(request.pk)).exists()


@pytest.mark.parametrize("field,changes", [("subject", {"subject": "shoe size"}), ("details", {"details": "  "}),
                                           ("details", {"details": "x" * 10_000}),
                                           ("wanted", {"wanted": "nul\x00byte"})])
def test_a_request_without_what_is_wrong_is_refused_naming_the_field(tenant_a, field, changes):
    with pytest.raises(ServiceError) as refusal:
        _ask(tenant_a, **changes)
    assert refusal.value.field == field


def test_a_recipient_may_not_flood_the_queue(tenant_a, settings):
    settings.CVMS_RECIPIENT_OPEN_REQUESTS = 3
    first = _ask(tenant_a)
    _ask(tenant_a)
    _ask(tenant_a)
    with pytest.raises(TooManyOpenRequests):
        _ask(tenant_a)
    recipient_request_resolve(request=first, actor=None, status="done")
    _ask(tenant_a)  # one answered: one more may wait


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_do_not_pass_the_limit_together(tenant_a, settings):
    settings.CVMS_RECIPIENT_OPEN_REQUESTS = 1
    barrier, outcomes = threading.Barrier(2), []

    def ask():
        try:
            barrier.wait()
            _ask(tenant_a)
            outcomes.append("opened")
        except TooManyOpenRequests:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["opened", "refused"]
    assert RecipientRequest.objects.filter(recipient=tenant_a.recipient).count() == 1


def test_staff_resolve_a_request_once_and_the_recipient_is_emailed_in_their_language(
        tenant_a, agent, queued_tasks, django_capture_on_commit_callbacks):
    recipient = tenant_a.recipient
    recipient.preferred_language = "es"
    recipient.save(update_fields=["preferred_language"])
    request = _ask(tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        recipient_request_resolve(request=request, actor=agent, status="done", note="Corrected.")
    assert ("cvms.recipients.tasks.send_request_resolved_email", [request.pk], {}) in [
        (name, list(args or []), kwargs or {}) for name, args, kwargs in queued_tasks]
    request.refresh_from_db()
    assert (request.status, request.resolved_by, request.note) == ("done", agent, "Corrected.")
    assert AuditLog.objects.filter(action="recipients.request.resolved", actor=agent).exists()
    with pytest.raises(ServiceError):
        recipient_request_resolve(request=request, actor=agent, status="declined", note="again")
    assert request_resolved_email_send(request_id=request.pk) is True
    assert request_resolved_email_send(request_id=request.pk) is False  # a task run twice emails once
    message, = mail.outbox
    assert message.to == [recipient.email] and "Corrected." in message.body
    assert "lang=\"es\"" in message.alternatives[0][0]


def test_declining_needs_a_note_the_recipient_reads(tenant_a, agent):
    request = _ask(tenant_a)
    with pytest.raises(ServiceError) as refusal:
        recipient_request_resolve(request=request, actor=agent, status="declined", note="")
    assert refusal.value.field == "note"
    with pytest.raises(ServiceError):
        recipient_request_resolve(request=request, actor=agent, status="open")


def test_a_recipient_without_an_email_is_not_emailed(tenant_a, agent):
    recipient = tenant_a.recipient
    recipient.email = ""
    recipient.save(update_fields=["email"])
    request = _ask(tenant_a)
    recipient_request_resolve(request=request, actor=agent, status="done")
    assert request_resolved_email_send(request_id=request.pk) is False and not mail.outbox


def test_the_organization_portal_may_ask_for_a_removal(tenant_a):
    from cvms.recipients.requests import employee_removal_request_open

    request = employee_removal_request_open(employer=tenant_a.employer, recipient=tenant_a.recipient,
                                            actor=tenant_a.employer_coordinator, reason="No longer works here")
    assert request.kind == "removal" and request.subject == ""
