"""Coded values of the stock ledger, transfers and the Vaccine Marketplace."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LedgerKind(models.TextChoices):
    RECEIVE = "receive", _("Receive")
    ADMINISTER = "administer", _("Administer")
    WASTE = "waste", _("Waste")
    RETURN = "return", _("Return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUST = "adjust", _("Adjust")
    CORRECTION = "correction", _("Correction")


#: Ledger kinds that add doses and those that remove them; ADJUST and CORRECTION may do either.
INCOMING = frozenset({LedgerKind.RECEIVE, LedgerKind.TRANSFER_IN})
OUTGOING = frozenset({LedgerKind.ADMINISTER, LedgerKind.WASTE, LedgerKind.RETURN, LedgerKind.TRANSFER_OUT})


class WasteReason(models.TextChoices):
    OPEN_VIAL_EXPIRED = "open_vial_expired", _("Open vial expired")
    CLOSED_VIAL_EXPIRED = "closed_vial_expired", _("Closed vial expired")
    BROKEN = "broken", _("Broken or dropped vial")
    TEMPERATURE = "temperature_excursion", _("Temperature excursion")
    DRAWN_NOT_GIVEN = "drawn_not_given", _("Drawn but not given")
    RECALL = "recall", _("Recall")
    OTHER = "other", _("Other")


class ReturnReason(models.TextChoices):
    EXPIRED = "return_expired", _("Expired")
    SPOILED = "return_spoiled", _("Spoiled")


#: Every reason a ledger entry may carry (a waste needs a waste reason, a return a return reason).
REASON_CHOICES = [*WasteReason.choices, *ReturnReason.choices]


class Unit(models.TextChoices):
    """How a person counts what they waste or return; the ledger always counts doses."""

    DOSES = "doses", _("Doses")
    VIALS = "vials", _("Vials")


class TransferKind(models.TextChoices):
    TRANSFER = "transfer", _("Transfer")
    REDISTRIBUTION = "redistribution", _("Redistribution")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting state approval")
    APPROVED = "approved", _("Approved, awaiting shipment")
    SHIPPED = "shipped", _("Shipped, awaiting receipt")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


#: A transfer in these states holds its doses reserved at the sending lot.
RESERVING = frozenset({TransferStatus.REQUESTED, TransferStatus.APPROVED})
#: A transfer in these states is over.
CLOSED = frozenset({TransferStatus.COMPLETED, TransferStatus.REJECTED, TransferStatus.CANCELLED})


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OfferRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the poster")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: The cap colors of the reference products (stored as their English names), worded in the reader's
#: language; the context tells a translator the word describes a vial's cap.
CAP_COLORS = {
    "purple": pgettext_lazy("cap color", "purple"),
    "gray": pgettext_lazy("cap color", "gray"),
    "orange": pgettext_lazy("cap color", "orange"),
    "maroon": pgettext_lazy("cap color", "maroon"),
    "red": pgettext_lazy("cap color", "red"),
    "dark blue": pgettext_lazy("cap color", "dark blue"),
}
