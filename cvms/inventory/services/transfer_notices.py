"""Emails at each step of a transfer, to the people who must act next, in each one's language:
requested -> the Immunization Branch (state staff and the shared approval inbox); approved -> the
sender's managers and coordinators (ship it); rejected -> the requester; shipped -> the receiver's
managers and coordinators (receive it); received -> the requester (completed) and, when fewer doses
arrived than were shipped, the state and the sender (discrepancy); cancelled -> the state, if the
request was still waiting for them."""

from dataclasses import dataclass

from django.conf import settings

from cvms.accounts.models import Membership
from cvms.core import links
from cvms.core.mail import build_email, send_many
from cvms.core.outbox import outbox_enqueue
from cvms.inventory.models import Transfer
from cvms.inventory.roles import STATE_ROLES, STOCK_ROLES
from cvms.inventory.selectors import requesting_location

EVENTS = ("requested", "approved", "rejected", "shipped", "received", "cancelled")


@dataclass(frozen=True)
class Notice:
    email: str
    language: str
    #: Which message: requested, approved, rejected, shipped, completed, discrepancy, cancelled.
    kind: str
    url: str


def transfer_notice_queue(*, transfer: Transfer, event: str) -> None:
    """Queue the emails of ``event``, sent once the caller's transaction commits."""
    from cvms.inventory.tasks import send_transfer_notice

    if event not in EVENTS:
        raise ValueError(f"Unknown transfer event {event!r}")
    outbox_enqueue(task=send_transfer_notice, args=(transfer.pk, event))


def _people(memberships):
    seen = {}
    for m in memberships.filter(user__is_active=True).select_related("user").order_by("user_id"):
        seen.setdefault(m.user.email.lower(), m.user)
    return list(seen.values())


def _state_people():
    return _people(Membership.objects.active().with_roles(*STATE_ROLES))


def _location_people(location):
    return _people(Membership.objects.active().with_roles(*STOCK_ROLES).filter(location=location))


def transfer_notices(*, transfer: Transfer, event: str) -> list[Notice]:
    """Who is told of ``event``, with which message and link; one message per address."""
    def at(location):
        return links.link_url(links.TRANSFER, location.pk, transfer.pk)

    queue = links.link_url(links.TRANSFER_QUEUE)
    notices: dict[str, Notice] = {}

    def tell(people, kind, url, *, shared_inbox=False):
        for user in people:
            notices.setdefault(user.email.lower(), Notice(user.email, user.preferred_language, kind, url))
        if shared_inbox and settings.CVMS_TRANSFER_APPROVAL_EMAIL:
            inbox = settings.CVMS_TRANSFER_APPROVAL_EMAIL
            notices.setdefault(inbox.lower(), Notice(inbox, settings.LANGUAGE_CODE, kind, url))

    requester = [transfer.requested_by] if transfer.requested_by.is_active else []
    requester_at = at(requesting_location(transfer))
    if event == "requested":
        tell(_state_people(), "requested", queue, shared_inbox=True)
    elif event == "approved":
        tell(_location_people(transfer.from_location), "approved", at(transfer.from_location))
    elif event == "rejected":
        tell(requester, "rejected", requester_at)
    elif event == "shipped":
        tell(_location_people(transfer.to_location), "shipped", at(transfer.to_location))
    elif event == "received":
        if transfer.has_discrepancy:
            tell(_state_people(), "discrepancy", at(transfer.from_location), shared_inbox=True)
            tell(_location_people(transfer.from_location), "discrepancy", at(transfer.from_location))
        tell(requester, "completed", requester_at)
    elif event == "cancelled" and transfer.decided_at is None:
        tell(_state_people(), "cancelled", queue, shared_inbox=True)
    return list(notices.values())


def transfer_notice_send(*, transfer_id: int, event: str) -> int:
    transfer = Transfer.objects.select_related(
        "from_location", "to_location", "lot__product", "requested_by", "decided_by", "shipped_by", "received_by",
        "cancelled_by",
    ).get(pk=transfer_id)
    messages = [build_email(template_prefix="inventory/email/transfer_notice", to=[notice.email],
                            language=notice.language,
                            context={"transfer": transfer, "notice": notice.kind, "url": notice.url})
                for notice in transfer_notices(transfer=transfer, event=event)]
    return send_many(messages) if messages else 0
