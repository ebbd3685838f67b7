"""The Vaccine Marketplace: a location offers surplus doses of one lot, other enrolled locations
request some, and the poster's acceptance turns a request into a transfer awaiting the state's
approval (``transfers.transfer_request``, which reserves the doses).

Every change is a conditional UPDATE on the status it starts from, so two people acting on one
offer or request at once do one thing; the other is told what happened. What an offer still has
is ``selectors.offer_remaining``."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, MarketplaceOffer, MarketplaceRequest
from cvms.inventory.notices import marketplace_notice_queue
from cvms.inventory.roles import STOCK_ROLES, holds_role_at
from cvms.inventory.selectors import offer_remaining
from cvms.inventory.services.checks import bounded_text, whole_doses
from cvms.inventory.services.transfers import transfer_request
from cvms.organizations.models import Location

#: The longest pickup notes or request note (the columns' length).
NOTE_MAX = 1000


def _require_stock_role(actor, location: Location, message: str) -> None:
    if not holds_role_at(actor, location, STOCK_ROLES):
        raise ServiceError(message)


def _unexpired(lot: InventoryLot, field: str = "lot") -> None:
    if lot.expiration_date < timezone.localdate():
        raise ServiceError(_("Lot %(lot)s has expired and cannot be offered.") % {"lot": lot.lot_number},
                           field=field)


def offer_post(*, lot: InventoryLot, doses: int, pickup_notes: str = "", actor) -> MarketplaceOffer:
    """Offer ``doses`` of ``lot`` on the marketplace. Refused: someone who is not a manager or
    coordinator of the lot's location, an expired lot, more doses than the lot has available, a lot
    that already has an open offer."""
    _require_stock_role(actor, lot.location, _("Only the location's managers and vaccine coordinators may offer "
                                               "its vaccine on the marketplace."))
    if not lot.location.is_active:
        raise ServiceError(_("Only enrolled locations may offer vaccine on the marketplace."), field="lot")
    _unexpired(lot)
    doses = whole_doses(doses)
    pickup_notes = bounded_text(pickup_notes, field="pickup_notes", limit=NOTE_MAX)
    lot.refresh_from_db(fields=["on_hand", "reserved"])
    if doses > lot.available:
        raise ServiceError(_("Lot %(lot)s has %(available)s doses available; %(doses)s cannot be offered.")
                           % {"lot": lot.lot_number, "available": lot.available, "doses": doses}, field="doses")
    already = _("Lot %(lot)s already has an open offer: withdraw it first to offer a different number of "
                "doses.") % {"lot": lot.lot_number}
    if MarketplaceOffer.objects.filter(lot=lot, status=c.OfferStatus.OPEN).exists():
        raise ServiceError(already, field="lot")
    try:
        with transaction.atomic():
            offer = MarketplaceOffer.objects.create(location=lot.location, lot=lot, doses=doses,
                                                    pickup_notes=pickup_notes, posted_by=actor)
            audit_log(actor=actor, action="inventory.offer.posted", obj=offer,
                      changes={"lot": lot.lot_number, "doses": doses, "pickup_notes": pickup_notes})
    except IntegrityError as exc:  # another open offer of this lot, posted a moment ago
        if "offer_one_open_per_lot" in str(exc):
            raise ServiceError(already, field="lot") from exc
        raise
    return offer


def _offer_close(offer: MarketplaceOffer, *, status: str, actor, action: str) -> bool:
    """Close an open offer (withdrawn, or nothing left) and decline its pending requests; ``False``
    when it was no longer open."""
    if not MarketplaceOffer.objects.filter(pk=offer.pk, status=c.OfferStatus.OPEN).update(
            status=status, closed_at=timezone.now()):
        return False
    offer.refresh_from_db(fields=["status", "closed_at"])
    audit_log(actor=actor, action=action, obj=offer, changes={"status": [c.OfferStatus.OPEN, status]})
    for pending in offer.requests.filter(status=c.OfferRequestStatus.PENDING):
        _request_decide(pending, actor=actor, status=c.OfferRequestStatus.DECLINED)
    return True


def offer_withdraw(*, offer: MarketplaceOffer, actor) -> MarketplaceOffer:
    """Take an open offer off the marketplace; its pending requests are declined (and told so)."""
    _require_stock_role(actor, offer.location, _("Only the location's managers and vaccine coordinators may "
                                                 "withdraw its offers."))
    with transaction.atomic():
        if not _offer_close(offer, status=c.OfferStatus.WITHDRAWN, actor=actor, action="inventory.offer.withdrawn"):
            offer.refresh_from_db(fields=["status"])
            raise ServiceError(_("This offer is already %(status)s.")
                               % {"status": offer.get_status_display().lower()})
    return offer


def offer_request(*, offer: MarketplaceOffer, location: Location, doses: int, note: str = "",
                  actor) -> MarketplaceRequest:
    """Ask for ``doses`` of an open offer for ``location``, another enrolled location; the poster's
    managers and coordinators are emailed. One pending request per location and offer."""
    _require_stock_role(actor, location, _("Only the location's managers and vaccine coordinators may request "
                                           "doses for it."))
    if location.pk == offer.location_id:
        raise ServiceError(_("This is your location's own offer: choose another location's offer."),
                           field="location")
    if not location.is_active:
        raise ServiceError(_("%(location)s is not an enrolled location.") % {"location": location},
                           field="location")
    if offer.status != c.OfferStatus.OPEN or offer.lot.expiration_date < timezone.localdate():
        raise ServiceError(_("This offer is no longer open."))
    doses = whole_doses(doses)
    note = bounded_text(note, field="note", limit=NOTE_MAX)
    remaining = offer_remaining(offer)
    if doses > remaining:
        raise ServiceError(_("This offer has %(remaining)s doses left; %(doses)s cannot be requested.")
                           % {"remaining": remaining, "doses": doses}, field="doses")
    pending = _("%(location)s already has a request waiting on this offer: withdraw it first to ask for a "
                "different number of doses.") % {"location": location.name}
    if offer.requests.filter(location=location, status=c.OfferRequestStatus.PENDING).exists():
        raise ServiceError(pending, field="doses")
    try:
        with transaction.atomic():
            made = MarketplaceRequest.objects.create(offer=offer, location=location, doses=doses, note=note,
                                                     requested_by=actor)
            audit_log(actor=actor, action="inventory.offer_request.made", obj=made,
                      changes={"offer": offer.pk, "doses": doses, "note": note})
            marketplace_notice_queue(request=made, event="requested")
    except IntegrityError as exc:  # a second request from the same location a moment ago
        if "offer_request_one_pending_per_location" in str(exc):
            raise ServiceError(pending, field="doses") from exc
        raise
    return made


def _request_decide(made: MarketplaceRequest, *, actor, status: str, **also) -> bool:
    """Move a pending request to ``status`` (one conditional UPDATE), audit it and tell the
    requester when the poster decided; ``False`` when it was no longer pending."""
    decided = status in (c.OfferRequestStatus.ACCEPTED, c.OfferRequestStatus.DECLINED)
    if decided:
        also.update(decided_by=actor, decided_at=timezone.now())
    if not MarketplaceRequest.objects.filter(pk=made.pk, status=c.OfferRequestStatus.PENDING).update(
            status=status, **also):
        return False
    made.refresh_from_db()
    audit_log(actor=actor, action=f"inventory.offer_request.{status}", obj=made,
              changes={"status": [c.OfferRequestStatus.PENDING, status], "transfer": made.transfer_id})
    if decided:
        marketplace_notice_queue(request=made, event=status)
    return True


def _no_longer_pending(made: MarketplaceRequest) -> ServiceError:
    made.refresh_from_db(fields=["status"])
    return ServiceError(_("This request is already %(status)s.") % {"status": made.get_status_display().lower()})


def _request_end(made: MarketplaceRequest, *, actor, status: str, location: Location, who_may: str):
    _require_stock_role(actor, location, who_may)
    with transaction.atomic():
        if not _request_decide(made, actor=actor, status=status):
            raise _no_longer_pending(made)
    return made


def request_withdraw(*, request: MarketplaceRequest, actor) -> MarketplaceRequest:
    """The requesting location takes back a request the poster has not decided on."""
    return _request_end(request, actor=actor, status=c.OfferRequestStatus.WITHDRAWN, location=request.location,
                        who_may=_("Only the requesting location's managers and vaccine coordinators may withdraw "
                                  "its request."))


def request_decline(*, request: MarketplaceRequest, actor) -> MarketplaceRequest:
    """The poster declines a pending request; the requester is emailed."""
    return _request_end(request, actor=actor, status=c.OfferRequestStatus.DECLINED, location=request.offer.location,
                        who_may=_("Only the offering location's managers and vaccine coordinators may decline a "
                                  "request."))


def request_accept(*, request: MarketplaceRequest, actor) -> MarketplaceRequest:
    """The poster accepts a pending request: a transfer from the offer's lot to the requesting
    location is requested for the state's approval (its doses reserved at once), and linked to the
    request; the requester is emailed. When nothing remains, the offer closes and its other pending
    requests are declined. Refused, with nothing changed: a request already decided or withdrawn,
    more doses than the offer still has, anything ``transfer_request`` refuses."""
    offer = request.offer
    _require_stock_role(actor, offer.location, _("Only the offering location's managers and vaccine "
                                                 "coordinators may accept a request."))
    with transaction.atomic():
        # One acceptance at a time per offer: what remains is counted after the previous one.
        offer = MarketplaceOffer.objects.select_for_update().select_related("lot__location").get(pk=offer.pk)
        request.refresh_from_db(fields=["status"])
        if request.status != c.OfferRequestStatus.PENDING:
            raise _no_longer_pending(request)
        if offer.status != c.OfferStatus.OPEN:
            raise ServiceError(_("This offer is %(status)s: it can no longer be accepted.")
                               % {"status": offer.get_status_display().lower()})
        remaining = offer_remaining(offer)
        if request.doses > remaining:
            raise ServiceError(_("This offer has %(remaining)s doses left, fewer than the %(doses)s requested: "
                                 "decline the request, or withdraw the offer and post a new one.")
                               % {"remaining": remaining, "doses": request.doses}, field="doses")
        transfer = transfer_request(
            lot=offer.lot, to_location=request.location, doses=request.doses, actor=actor,
            kind=c.TransferKind.TRANSFER,
            reason=_("Vaccine Marketplace: offer #%(offer)s, request #%(request)s")
            % {"offer": offer.pk, "request": request.pk},
        )
        if not _request_decide(request, actor=actor, status=c.OfferRequestStatus.ACCEPTED, transfer=transfer):
            raise _no_longer_pending(request)  # withdrawn or declined meanwhile: the transfer is rolled back
        if offer_remaining(offer) <= 0:
            _offer_close(offer, status=c.OfferStatus.CLOSED, actor=actor, action="inventory.offer.closed")
    return request
