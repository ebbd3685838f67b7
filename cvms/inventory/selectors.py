"""Reads of stock that several places need."""

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.inventory.choices import RESERVING, TransferStatus
from cvms.inventory.models import Transfer
from cvms.inventory.roles import STOCK_ROLES, holds_role_at
from cvms.organizations.models import RedistributionAgreement


def location_stock_summary(locations):
    """Locations annotated with their unexpired lots and doses on hand, in one query."""
    today = timezone.localdate()
    unexpired = Q(lots__expiration_date__gte=today)
    return locations.annotate(
        lot_count=Count("lots", filter=unexpired),
        doses_on_hand=Sum("lots__on_hand", filter=unexpired, default=0),
    ).order_by("name")



def transfers_involving(location):
    """Transfers that leave or reach ``location``, newest first."""
    return Transfer.objects.filter(Q(from_location=location) | Q(to_location=location))


def transfers_for_state(*, statuses=None):
    """Transfers for the Immunization Branch's queue, with what it decides on in one query: whether a
    redistribution's agreement is in force (``agreement_in_force``, as ``redistribution_allowed``
    answers it). Requests still waiting come oldest first; decided ones newest first."""
    in_force = RedistributionAgreement.objects.filter(
        organization=OuterRef("from_location__organization"), withdrawn_at__isnull=True,
    ).filter(organization=OuterRef("to_location__organization"))
    transfers = Transfer.objects.select_related(
        "from_location", "to_location", "lot__product", "requested_by", "decided_by",
    ).annotate(agreement_in_force=Exists(in_force.filter(locations=OuterRef("from_location"))
                                         .filter(locations=OuterRef("to_location"))))
    if statuses:
        transfers = transfers.filter(status__in=[str(s) for s in statuses])
    if statuses and {str(s) for s in statuses} == {TransferStatus.REQUESTED}:
        return transfers.order_by("requested_at", "id")
    return transfers.order_by("-requested_at", "-id")


def transfers_awaiting_state_count() -> int:
    return Transfer.objects.filter(status=TransferStatus.REQUESTED).count()


def requesting_location(transfer):
    """The location that asked for the move: the receiver when a marketplace request became the
    transfer, else the sender (whose doses it reserves)."""
    marketplace = getattr(transfer, "marketplace_request", None) if transfer.pk else None
    return marketplace.location if marketplace is not None else transfer.from_location


def transfer_steps_for(user, transfer) -> set[str]:
    """The steps ``user`` may take on ``transfer`` now: ship, receive, cancel (the services decide)."""
    steps = set()
    if transfer.status == TransferStatus.APPROVED and holds_role_at(user, transfer.from_location, STOCK_ROLES):
        steps.add("ship")
    if transfer.status == TransferStatus.SHIPPED and holds_role_at(user, transfer.to_location, STOCK_ROLES):
        steps.add("receive")
    if transfer.status in RESERVING and holds_role_at(user, requesting_location(transfer), STOCK_ROLES):
        steps.add("cancel")
    return steps


def transfer_timeline(transfer) -> list[dict]:
    """What happened to ``transfer``, in order: who did each step, when, and what they said."""
    def step(what, at, by, note=""):
        return {"what": what, "at": at, "by": by, "note": note}

    steps = [step(_("Requested"), transfer.requested_at, transfer.requested_by, transfer.reason)]
    if transfer.decided_at:
        what = _("Rejected") if transfer.status == TransferStatus.REJECTED else _("Approved")
        steps.append(step(what, transfer.decided_at, transfer.decided_by, transfer.decision_comment))
    if transfer.shipped_at:
        steps.append(step(_("Shipped"), transfer.shipped_at, transfer.shipped_by))
    if transfer.received_at:
        note = transfer.discrepancy_note
        what = (_("Received %(received)s of %(doses)s doses") % {"received": transfer.received_doses,
                                                                 "doses": transfer.doses})
        steps.append(step(what, transfer.received_at, transfer.received_by, note))
    if transfer.cancelled_at:
        steps.append(step(_("Cancelled"), transfer.cancelled_at, transfer.cancelled_by, transfer.cancel_reason))
    return steps
