"""Emails of the Vaccine Marketplace, each in its addressee's language: a new request to the
offering location's managers and coordinators; the poster's decision to the person who asked."""

from cvms.accounts.models import Membership
from cvms.core import links
from cvms.core.mail import build_email, send_many
from cvms.core.outbox import outbox_enqueue
from cvms.inventory.models import MarketplaceRequest
from cvms.inventory.roles import STOCK_ROLES

#: What happened to a request, and so which email goes to whom.
EVENTS = ("requested", "accepted", "declined")


def marketplace_notice_queue(*, request: MarketplaceRequest, event: str) -> None:
    """Queue the email about ``event``, sent once the caller's transaction commits."""
    from cvms.inventory.tasks import send_marketplace_notice

    if event not in EVENTS:
        raise ValueError(f"No marketplace email for {event!r}")
    outbox_enqueue(task=send_marketplace_notice, args=(request.pk, event))


def _addressees(made: MarketplaceRequest, event: str):
    if event == "requested":
        memberships = (Membership.objects.active().with_roles(*STOCK_ROLES)
                       .filter(location=made.offer.location_id).select_related("user").order_by("user_id"))
        return list({m.user_id: m.user for m in memberships if m.user.is_active}.values())
    return [made.requested_by] if made.requested_by.is_active else []


def marketplace_notice_send(*, request_id: int, event: str) -> int:
    """Email the people who must act on (or learn of) ``event``; safe to run twice (an email twice
    at worst, never a change)."""
    made = (MarketplaceRequest.objects
            .select_related("offer__lot__product", "offer__location", "location", "requested_by", "transfer")
            .get(pk=request_id))
    if event == "requested":
        url = links.link_url(links.MARKETPLACE_OFFERS, made.offer.location_id)
    else:
        url = links.link_url(links.MARKETPLACE_REQUESTS, made.location_id)
    context = {"made": made, "offer": made.offer, "lot": made.offer.lot, "event": event, "url": url}
    messages = [build_email(template_prefix=f"inventory/email/marketplace_{event}", context=context,
                            to=[user.email], language=user.preferred_language)
                for user in _addressees(made, event)]
    return send_many(messages) if messages else 0
