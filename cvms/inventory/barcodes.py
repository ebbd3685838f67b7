"""GS1 barcodes on vaccine cartons and vials: what a scanner types, read into product, lot and expiry.

A keyboard-wedge scanner types the barcode's data as keystrokes. FNC1 (the separator after a
variable-length field such as the lot) may arrive as the GS character (``\\x1d``), the symbology
may be announced first (``]d2`` for GS1 DataMatrix, ``]Q3`` for GS1 QR, ``]C1`` for GS1-128), and a
person may type the human-readable line under the symbol, ``(01)…(17)…(10)…``. The GS1 rules
themselves (application identifiers, lengths, check digits, YYMMDD dates) are biip's.

A US drug's GTIN-14 carries its NDC: an indicator digit, ``03``, the 10-digit NDC, a check digit.
The reference data lists NDCs in the 11-digit 5-4-2 form, so the 10-digit NDC is matched against
the three 11-digit forms it can stand for (a zero before the labeler, the product or the package)."""

import datetime
import re
from dataclasses import dataclass

import biip
from biip.gs1_messages import GS1Message
from django.utils.translation import gettext as _

from cvms.core.errors import ServiceError
from cvms.inventory.models import VaccineProduct

#: Application identifiers a vaccine label carries: product, expiry, lot.
AI_GTIN, AI_EXPIRY, AI_LOT = "01", "17", "10"
#: Characters a scanner may add around the data: carriage returns, line feeds, a byte-order mark.
_WRAPPING = "\r\n\t \ufeff"


class BarcodeUnreadable(ServiceError):
    """The scan could not be read, or names a product the reference data does not know."""

    def __init__(self, message: str):
        super().__init__(message, field="barcode")


@dataclass(frozen=True)
class ScannedLabel:
    gtin: str
    ndc: str
    product: VaccineProduct
    lot_number: str
    expiration_date: datetime.date | None


def ndc_11(ndc: str) -> str:
    """An NDC as 11 digits without hyphens. A hyphenated 10-digit NDC (4-4-2, 5-3-2, 5-4-1) is padded
    segment by segment to 5-4-2; an unhyphenated one must already have 11 digits."""
    parts = ndc.strip().split("-")
    if len(parts) == 3:
        return "".join(part.zfill(width) for part, width in zip(parts, (5, 4, 2), strict=True))
    return ndc.strip()


def ndc_11_forms(ndc_10: str) -> set[str]:
    """The 11-digit NDCs a 10-digit NDC without hyphens may stand for."""
    return {ndc_10[:at] + "0" + ndc_10[at:] for at in (0, 5, 9)}


def _ai_named(error: str) -> str:
    found = re.search(r"GS1 AI \((\d+)\)", error)
    return found.group(1) if found else ""


def _unreadable(error: str) -> BarcodeUnreadable:
    """biip's refusal, worded for the person scanning: which part it could not read."""
    ai = _ai_named(error)
    if ai == AI_EXPIRY:
        return BarcodeUnreadable(_("The barcode's expiration date (17) is not a date in YYMMDD form."))
    if ai == AI_GTIN:
        return BarcodeUnreadable(_("The barcode's product code (01) is not a 14-digit GTIN."))
    if ai:
        return BarcodeUnreadable(_("The barcode's field (%(ai)s) could not be read.") % {"ai": ai})
    rest = re.search(r"from '(.*)'", error)
    if rest and rest.group(1):
        return BarcodeUnreadable(_("The barcode could not be read from “%(rest)s” on: it is not GS1 data.")
                                 % {"rest": rest.group(1)[:40]})
    return BarcodeUnreadable(_("The barcode could not be read: it is not GS1 data."))


@dataclass(frozen=True)
class _Field:
    value: str
    date: datetime.date | None = None
    gtin_valid: bool = False


def _fields(raw: str) -> dict[str, _Field]:
    """The scan's element strings by application identifier."""
    value = raw.strip(_WRAPPING)
    if not value:
        raise BarcodeUnreadable(_("Scan the barcode, or type the text printed under it."))
    try:
        if value.startswith("("):  # typed from the label: spaces around the parentheses are the typist's
            elements = GS1Message.parse_hri(re.sub(r"\s*([()])\s*", r"\1", value)).element_strings
        else:
            result = biip.parse(value)
            if result.gs1_message is None or not result.gs1_message.element_strings:
                if result.gtin is not None:  # a bare GTIN (a linear barcode): the product only
                    return {AI_GTIN: _Field(result.gtin.value, gtin_valid=True)}
                raise _unreadable(result.gs1_message_error or "")
            elements = result.gs1_message.element_strings
    except biip.BiipException as exc:
        raise _unreadable(str(exc)) from exc
    return {e.ai.ai: _Field(e.value, e.date, e.gtin is not None) for e in elements}


def _product_for(gtin: str) -> tuple[str, VaccineProduct]:
    if gtin[1:3] != "03":
        raise BarcodeUnreadable(_("GTIN %(gtin)s is not a US drug code (NDC): no vaccine product matches it.")
                                % {"gtin": gtin})
    ndc = gtin[3:13]
    forms = ndc_11_forms(ndc)
    matches = {
        product for product in VaccineProduct.objects.exclude(mvx="")
        if forms & {ndc_11(code) for code in [*product.ndc_unit_of_sale, *product.ndc_unit_of_use]}
    }
    if len(matches) != 1:
        message = (_("GTIN %(gtin)s (NDC %(ndc)s) matches no vaccine product we know.") if not matches else
                   _("GTIN %(gtin)s (NDC %(ndc)s) matches more than one product: choose the product."))
        raise BarcodeUnreadable(message % {"gtin": gtin, "ndc": ndc})
    return ndc, matches.pop()


def barcode_read(raw: str) -> ScannedLabel:
    """Read a scanned GS1 string into the product (through its NDC), lot number and expiration date.

    Raises ``BarcodeUnreadable`` (field ``barcode``) saying which part was not understood: not GS1
    data, a malformed field, a GTIN with a wrong check digit, no GTIN, or a GTIN no product matches."""
    fields = _fields(raw)
    gtin = fields.get(AI_GTIN)
    if gtin is None:
        raise BarcodeUnreadable(_("The barcode has no product code (GTIN, field 01)."))
    if not gtin.gtin_valid:
        raise BarcodeUnreadable(_("The product code %(gtin)s has a wrong check digit: scan the barcode again.")
                                % {"gtin": gtin.value})
    ndc, product = _product_for(gtin.value)
    lot = fields.get(AI_LOT)
    expiry = fields.get(AI_EXPIRY)
    return ScannedLabel(gtin=gtin.value, ndc=ndc, product=product, lot_number=lot.value if lot else "",
                        expiration_date=expiry.date if expiry else None)
