"""An employer's coordinator asks for an employee's removal; state or help desk staff act on it.
Done removes the record through ``recipient_remove`` (never one with doses), declined needs a
note; the coordinator, not the employee, is emailed the outcome in their language; all audited."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.recipients.models import Recipient, RecipientRequest
from cvms.recipients.requests import (
    RemovalRequestedAlready,
    employee_removal_request_open,
    organization_removal_requests,
    recipient_request_open,
    recipient_request_resolve,
    request_resolved_email_send,
)
from cvms.recipients.services import recipient_remove
from cvms.recipients.tests.factories import RecipientFactory


def _ask(tenant, *, reason="No longer works here", actor=None):
    return employee_removal_request_open(employer=tenant.employer, recipient=tenant.recipient,
                                         actor=actor or tenant.employer_coordinator, reason=reason)


def _dose(tenant):
    from cvms.immunizations.services.administer import immunization_record
    from cvms.inventory.services.stock import lot_receive
    from cvms.inventory.tests.factories import VaccineProductFactory

    lot = lot_receive(location=tenant.location, product=VaccineProductFactory(), lot_number="RM1",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    return immunization_record(recipient=tenant.recipient, lot=lot, given_by=tenant.vaccinator)


def test_a_coordinator_asks_for_an_employees_removal_audited(tenant_a):
    request = _ask(tenant_a)
    assert (request.kind, request.status, request.organization, request.requested_by) == (
        "removal", "open", tenant_a.employer, tenant_a.employer_coordinator)
    assert request.recipient_name == f"{tenant_a.recipient.first_name} {tenant_a.recipient.last_name}"
    entry = AuditLog.objects.get(action="recipients.request.opened", object_id=str(request.pk))
    assert entry.actor == tenant_a.employer_coordinator
    assert list(organization_removal_requests(organization=tenant_a.employer)) == [request]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001, "nul\x00byte"])
def test_a_removal_without_a_readable_reason_is_refused_naming_the_reason(tenant_a, reason):
    with pytest.raises(ServiceError) as refusal:
        _ask(tenant_a, reason=reason)
    assert refusal.value.field == "reason"
    assert not RecipientRequest.objects.exists()


def test_a_second_removal_of_the_same_employee_is_refused_clearly(tenant_a):
    _ask(tenant_a)
    with pytest.raises(RemovalRequestedAlready) as refusal:
        _ask(tenant_a, reason="Asked again")
    assert "requested already" in str(refusal.value) and refusal.value.field == "reason"
    assert RecipientRequest.objects.filter(kind="removal").count() == 1


def test_after_a_declined_removal_the_coordinator_may_ask_again(tenant_a, agent):
    recipient_request_resolve(request=_ask(tenant_a), actor=agent, status="declined", note="Still works here")
    assert _ask(tenant_a, reason="Left last week").status == "open"


def test_the_database_holds_one_waiting_removal_per_employee(tenant_a):
    from django.db import IntegrityError

    _ask(tenant_a)
    with pytest.raises(IntegrityError):
        RecipientRequest.objects.create(recipient=tenant_a.recipient, organization=tenant_a.employer, kind="removal",
                                        details="again")


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_asking_at_the_same_moment_open_one_request(tenant_a):
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant
    from cvms.accounts.tests.factories import UserFactory

    second = UserFactory(email="second.coordinator@example.com")
    membership_grant(user=second, role=Role.ORG_COORDINATOR, organization=tenant_a.employer)
    barrier, outcomes = threading.Barrier(2), []

    def ask(actor):
        try:
            barrier.wait()
            _ask(tenant_a, actor=actor)
            outcomes.append("opened")
        except RemovalRequestedAlready:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(a,)) for a in (tenant_a.employer_coordinator, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["opened", "refused"]


def test_another_employers_coordinator_cannot_ask_for_the_removal(tenant_a, tenant_b):
    with pytest.raises(ServiceError) as refusal:
        employee_removal_request_open(employer=tenant_b.employer, recipient=tenant_a.recipient,
                                      actor=tenant_b.employer_coordinator, reason="Not ours")
    assert refusal.value.field == "recipient"


def test_a_removal_does_not_count_against_the_recipients_own_requests(tenant_a, settings):
    settings.CVMS_RECIPIENT_OPEN_REQUESTS = 1
    _ask(tenant_a)
    recipient_request_open(recipient=tenant_a.recipient, actor=tenant_a.recipient_user, subject="name",
                           details="Misspelled")


def test_a_recipient_cannot_open_a_removal_as_a_correction(tenant_a):
    with pytest.raises(ServiceError) as refusal:
        recipient_request_open(recipient=tenant_a.recipient, actor=tenant_a.recipient_user, kind="removal",
                               details="Remove me")
    assert refusal.value.field == "kind"


def test_a_removal_done_removes_the_record_and_keeps_the_request(tenant_a, agent):
    request = recipient_request_resolve(request=_ask(tenant_a), actor=agent, status="done")
    assert not Recipient.objects.filter(pk=tenant_a.recipient.pk).exists()
    request.refresh_from_db()
    assert (request.status, request.recipient_id, request.resolved_by) == ("done", None, agent)
    assert request.recipient_name.startswith(tenant_a.recipient.first_name)
    removed = AuditLog.objects.get(action="registry.recipient.removed", actor=agent)
    assert f"#{request.pk}" in removed.changes["reason"]


def test_an_employee_with_doses_is_never_removed_and_the_request_stays_open(tenant_a, agent):
    _dose(tenant_a)
    request = _ask(tenant_a)
    with pytest.raises(ServiceError) as refusal:
        recipient_request_resolve(request=request, actor=agent, status="done")
    assert "immunization records" in str(refusal.value) and "Decline" in str(refusal.value)
    request.refresh_from_db()
    assert request.status == "open" and Recipient.objects.filter(pk=tenant_a.recipient.pk).exists()
    assert not AuditLog.objects.filter(action="recipients.request.resolved").exists()


def test_declining_a_removal_needs_a_note_for_the_coordinator(tenant_a, agent):
    request = _ask(tenant_a)
    with pytest.raises(ServiceError) as refusal:
        recipient_request_resolve(request=request, actor=agent, status="declined", note=" ")
    assert refusal.value.field == "note" and "coordinator" in str(refusal.value)
    recipient_request_resolve(request=request, actor=agent, status="declined", note="Still on the payroll")
    assert Recipient.objects.filter(pk=tenant_a.recipient.pk).exists()


@pytest.mark.parametrize("status,note,words", [
    ("done", "", "Eliminamos a"), ("declined", "Still on the payroll", "No eliminamos a")])
def test_the_coordinator_is_emailed_the_outcome_in_their_language_not_the_employee(tenant_a, agent, status, note,
                                                                                     words):
    from cvms.accounts.models import User

    User.objects.filter(pk=tenant_a.employer_coordinator.pk).update(preferred_language="es")
    request = _ask(tenant_a)
    recipient_request_resolve(request=request, actor=agent, status=status, note=note)
    assert request_resolved_email_send(request_id=request.pk) is True
    (sent,) = mail.outbox
    assert sent.to == [tenant_a.employer_coordinator.email]
    assert words in sent.body and note in sent.body
    assert tenant_a.recipient.last_name in sent.body and f"/employers/{tenant_a.employer.pk}/" in sent.body
    assert '<html lang="es">' in sent.alternatives[0][0]
    assert tenant_a.recipient.date_of_birth.strftime("%m/%d/%Y") not in sent.body
    assert request_resolved_email_send(request_id=request.pk) is False  # once


def test_resolving_a_removal_queues_the_coordinators_email(tenant_a, agent):
    from cvms.core.models import OutboxMessage

    request = _ask(tenant_a)
    recipient_request_resolve(request=request, actor=agent, status="declined", note="No")
    assert OutboxMessage.objects.filter(args=[request.pk]).exists()


def test_a_recipient_with_an_appointment_is_refused_removal_clearly_not_a_crash(tenant_a, agent):
    from tests.test_cross_tenant import _appointment

    recipient = RecipientFactory(employer=tenant_a.employer, source_location=tenant_a.location)
    tenant_a.recipient = recipient
    _appointment(tenant_a)
    with pytest.raises(ServiceError) as refusal:
        recipient_remove(recipient=recipient, actor=agent, reason="Left")
    assert "appointments" in str(refusal.value)
    assert Recipient.objects.filter(pk=recipient.pk).exists()
