"""Emails at each step of a transfer go to the people who must act next, in each one's language,
through the outbox, with a link to the page where they act."""

import pytest
from django.core import mail

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.accounts.tests.factories import UserFactory
from cvms.core.models import OutboxMessage
from cvms.inventory.services.transfer_notices import transfer_notice_send
from cvms.inventory.services.transfers import (
    transfer_approve,
    transfer_cancel,
    transfer_receive,
    transfer_reject,
)


def sent(queued_tasks, transfer, event):
    """Run the notices queued for ``event`` and return {address: subject}."""
    assert OutboxMessage.objects.filter(task="cvms.inventory.tasks.send_transfer_notice",
                                        args=[transfer.pk, event]).exists()
    mail.outbox.clear()
    transfer_notice_send(transfer_id=transfer.pk, event=event)
    return {m.to[0]: m.subject for m in mail.outbox}


def test_a_request_tells_state_staff_and_the_shared_inbox(requested, state_reviewer, queued_tasks, settings):
    settings.CVMS_TRANSFER_APPROVAL_EMAIL = "branch@example.gov"
    got = sent(queued_tasks, requested, "requested")
    assert set(got) == {state_reviewer.email, "branch@example.gov"}
    assert "awaits approval" in got[state_reviewer.email]
    assert "/state/transfers/" in mail.outbox[0].body


def test_approval_tells_the_senders_managers_and_coordinators_to_ship(approved, tenant_a, queued_tasks):
    got = sent(queued_tasks, approved, "approved")
    assert set(got) == {tenant_a.manager.email, tenant_a.coordinator.email}
    assert "ship 12 doses" in got[tenant_a.manager.email]
    assert f"/locations/{tenant_a.location.pk}/transfers/{approved.pk}/" in mail.outbox[0].body


def test_rejection_tells_the_requester_with_the_comment(requested, tenant_a, state_reviewer, queued_tasks):
    transfer_reject(transfer=requested, actor=state_reviewer, comment="Use the marketplace")
    got = sent(queued_tasks, requested, "rejected")
    assert list(got) == [tenant_a.coordinator.email] and "Use the marketplace" in mail.outbox[0].body


def test_shipment_tells_the_receivers_managers_and_coordinators(shipped, tenant_b, queued_tasks):
    got = sent(queued_tasks, shipped, "shipped")
    assert set(got) == {tenant_b.manager.email, tenant_b.coordinator.email}
    assert f"/locations/{tenant_b.location.pk}/transfers/{shipped.pk}/" in mail.outbox[0].body


def test_a_discrepancy_tells_the_state_and_the_sender_and_completion_the_requester(shipped, tenant_a, tenant_b,
                                                                                    state_reviewer, queued_tasks):
    transfer_receive(transfer=shipped, actor=tenant_b.manager, received_doses=6, discrepancy_note="one box lost")
    got = sent(queued_tasks, shipped, "received")
    assert set(got) == {state_reviewer.email, tenant_a.manager.email, tenant_a.coordinator.email}
    assert "fewer doses" in got[state_reviewer.email] and "one box lost" in mail.outbox[0].body


def test_a_full_receipt_tells_only_the_requester(shipped, tenant_a, tenant_b, queued_tasks):
    transfer_receive(transfer=shipped, actor=tenant_b.manager, received_doses=12)
    got = sent(queued_tasks, shipped, "received")
    assert got == {tenant_a.coordinator.email: f"Transfer #{shipped.pk} is complete"}


def test_a_cancelled_request_tells_the_state_only_while_it_awaited_them(requested, approved, tenant_a,
                                                                        state_reviewer, queued_tasks):
    transfer_cancel(transfer=approved, actor=tenant_a.manager, reason="plans changed")
    assert sent(queued_tasks, approved, "cancelled") == {}


def test_a_cancelled_waiting_request_tells_the_state(requested, tenant_a, state_reviewer, queued_tasks):
    transfer_cancel(transfer=requested, actor=tenant_a.manager, reason="plans changed")
    assert list(sent(queued_tasks, requested, "cancelled")) == [state_reviewer.email]


def test_each_addressee_reads_it_in_their_language(approved, tenant_a, queued_tasks, monkeypatch):
    from cvms.inventory.services import transfer_notices

    spanish = UserFactory(email="coordinadora@example.com", preferred_language="es")
    membership_grant(user=spanish, role=Role.VACCINE_COORDINATOR, location=tenant_a.location)
    languages, build = {}, transfer_notices.build_email

    def built(**kwargs):
        languages[kwargs["to"][0]] = kwargs["language"]
        return build(**kwargs)

    monkeypatch.setattr(transfer_notices, "build_email", built)
    sent(queued_tasks, approved, "approved")
    assert languages == {tenant_a.manager.email: "en", tenant_a.coordinator.email: "en",
                         "coordinadora@example.com": "es"}


@pytest.mark.parametrize("event", ["requested", "approved", "shipped"])
def test_nobody_gets_two_copies_of_one_notice(event, shipped, queued_tasks, tenant_a, state_reviewer):
    membership_grant(user=tenant_a.manager, role=Role.VACCINE_COORDINATOR, location=tenant_a.location)
    mail.outbox.clear()
    transfer_notice_send(transfer_id=shipped.pk, event=event)
    addresses = [m.to[0] for m in mail.outbox]
    assert len(addresses) == len(set(addresses))


def test_approval_records_its_notice_in_the_outbox_with_the_decision(requested, state_reviewer, queued_tasks):
    transfer_approve(transfer=requested, actor=state_reviewer, comment="")
    assert OutboxMessage.objects.filter(task="cvms.inventory.tasks.send_transfer_notice",
                                        args=[requested.pk, "approved"]).exists()
