"""Coded values of the stock ledger."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerKind(models.TextChoices):
    RECEIVE = "receive", _("Receive")
    ADMINISTER = "administer", _("Administer")
    WASTE = "waste", _("Waste")
    RETURN = "return", _("Return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUST = "adjust", _("Adjust")


#: Ledger kinds that add doses and those that remove them; ADJUST may do either.
INCOMING = frozenset({LedgerKind.RECEIVE, LedgerKind.TRANSFER_IN})
OUTGOING = frozenset({LedgerKind.ADMINISTER, LedgerKind.WASTE, LedgerKind.RETURN, LedgerKind.TRANSFER_OUT})
