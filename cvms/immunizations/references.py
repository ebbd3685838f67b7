"""What a clinic system's record of a dose names, found or refused: the recipient (by id, or by the
legal names and date of birth that make one person), the lot (by id, lot number or the vial's GS1
barcode) and the vaccinator. Each refusal names the field that was sent."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import LOCATION_ROLES, User
from cvms.core.errors import ServiceError
from cvms.immunizations.roles import ADMINISTER_ROLES
from cvms.inventory.barcodes import barcode_read
from cvms.inventory.models import InventoryLot
from cvms.inventory.selectors import product_for_code
from cvms.inventory.services.stock import lot_number_clean
from cvms.recipients.models import Recipient

#: What recording a dose reads of its recipient (the rest loads if asked for).
_DOSE_FIELDS = ("id", "first_name", "last_name", "date_of_birth", "email", "user_id", "welcome_email_status")


@dataclass
class Known:
    """The recipients and lots a batch of doses names by id, read in one query each."""

    recipients: dict[int, Recipient] = field(default_factory=dict)
    lots: dict[int, InventoryLot] = field(default_factory=dict)


def known_by_id(*, location, recipient_ids: Iterable[int], lot_ids: Iterable[int]) -> Known:
    """The recipients with these ids, and the lots of ``location`` with these ids (others are
    refused one by one, with their message, by ``recipient_named`` and ``lot_named``)."""
    lots = InventoryLot.objects.filter(location=location).select_related("product").in_bulk(set(lot_ids))
    for lot in lots.values():
        lot.location = location
    return Known(recipients=Recipient.objects.only(*_DOSE_FIELDS).in_bulk(set(recipient_ids)), lots=lots)


def recipient_named(*, recipient_id: int | None = None, first_name: str = "", last_name: str = "",
                    date_of_birth: datetime.date | None = None, known: Known | None = None) -> Recipient:
    """Any recipient in the state (a provider may vaccinate anyone): by id, or by legal first and
    last name (any case) and date of birth, the database's rule for one person. ``known``: read
    already."""
    if known is not None and recipient_id in known.recipients:
        return known.recipients[recipient_id]
    if recipient_id is not None:
        try:
            return Recipient.objects.only(*_DOSE_FIELDS).get(pk=recipient_id)
        except Recipient.DoesNotExist:
            raise ServiceError(_("No recipient has the id %(id)s.") % {"id": recipient_id},
                               field="recipient_id") from None
    # Lower() on both sides, as the unique index is written, so the look-up is one index probe.
    recipient = (Recipient.objects.alias(first=Lower("first_name"), last=Lower("last_name"))
                 .filter(first=Lower(Value(first_name.strip())), last=Lower(Value(last_name.strip())),
                         date_of_birth=date_of_birth)
                 .first())
    if recipient is None:
        raise ServiceError(_("No recipient is registered as %(name)s, born %(born)s: register them first, or send "
                             "recipient_id.") % {"name": f"{first_name.strip()} {last_name.strip()}",
                                                 "born": date_format(date_of_birth, "SHORT_DATE_FORMAT")},
                           field="recipient")
    return recipient


def _lot_at(location, field: str, **lookup) -> InventoryLot:
    lots = list(InventoryLot.objects.filter(location=location, **lookup).select_related("product").order_by()[:2])
    if not lots:
        raise ServiceError(_("No lot at %(location)s matches: choose a lot of this location.")
                           % {"location": location}, field=field)
    if len(lots) > 1:
        raise ServiceError(_("Lot %(lot)s is stocked for more than one product here: send the product too.")
                           % {"lot": lots[0].lot_number}, field="product")
    lots[0].location = location
    return lots[0]


def lot_named(*, location, lot_id: int | None = None, lot_number: str = "", product_code: str = "",
              barcode: str = "", known: Known | None = None) -> InventoryLot:
    """A lot of ``location`` (with its product), by id, by lot number (and product key or NDC when
    two products share the number), or by the vial's scanned GS1 barcode (product and lot).
    ``known``: read already."""
    if known is not None and lot_id in known.lots:
        return known.lots[lot_id]
    if lot_id is not None:
        return _lot_at(location, "lot_id", pk=lot_id)
    if barcode:
        label = barcode_read(barcode)
        if not label.lot_number:
            raise ServiceError(_("The barcode has no lot number (field 10): scan the vial's 2D barcode."),
                               field="barcode")
        try:
            number = lot_number_clean(label.lot_number)
        except ServiceError as refusal:
            raise ServiceError(str(refusal), field="barcode") from refusal
        return _lot_at(location, "barcode", product=label.product, lot_number=number)
    lookup = {"lot_number": lot_number_clean(lot_number)}
    if product_code:
        product = product_for_code(product_code)
        if product is None:
            raise ServiceError(_("No vaccine product has the key or NDC %(code)s.") % {"code": product_code},
                               field="product")
        lookup["product"] = product
    return _lot_at(location, "lot_number", **lookup)


def vaccinator_named(*, location, email: str) -> User:
    """The person with this sign-in email who may give vaccine at ``location``. Anyone else,
    unknown addresses included, gets the same answer."""
    at_location = [str(role) for role in ADMINISTER_ROLES if role in LOCATION_ROLES]
    user = (User.objects.filter(email=normalize_login(email), is_active=True)
            .filter(Q(memberships__is_active=True, memberships__role__in=at_location,
                      memberships__location=location)).first())
    if user is None:
        raise ServiceError(_("%(email)s is not a vaccinator, vaccine coordinator or location manager at "
                             "%(location)s.") % {"email": email, "location": location}, field="given_by")
    return user
