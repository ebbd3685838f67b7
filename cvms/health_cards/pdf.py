"""A recipient's proof of vaccination on paper: their record (product with cap color, lot, date,
where) and their SMART Health Card's QR code, in the language asked for (ReportLab)."""

import re

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from cvms.health_cards.issue import HealthCard, health_card_issue
from cvms.immunizations.paper_forms import INK, RULE, SHADE, WIDTH, _p, _pdf
from cvms.immunizations.selectors import recipient_doses

QR_SIZE = 3.2 * inch
#: A reference product name's closing "(... Cap)", in English.
_NAMED_CAP = re.compile(r"\s*\([^()]*\bcap\)\s*$", re.IGNORECASE)


class QrCode(Flowable):
    """The card's QR code drawn module by module (vector, exactly what segno encodes)."""

    def __init__(self, card: HealthCard, size: float = QR_SIZE):
        super().__init__()
        self.rows = [list(row) for row in card.qr().matrix_iter(scale=1, border=4)]
        self.size = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        module = self.size / len(self.rows)
        self.canv.setFillColor(INK)
        for y, row in enumerate(self.rows):
            for x, dark in enumerate(row):
                if dark:
                    self.canv.rect(x * module, self.size - (y + 1) * module, module, module, stroke=0, fill=1)


def health_card_pdf(*, recipient, language: str, actor=None) -> bytes:
    """The record and a freshly signed card (``health_card_issue``: refused without a dose, audited)."""
    card = health_card_issue(recipient=recipient, actor=actor)
    doses = recipient_doses(recipient)
    with translation.override(language):
        title = _("COVID-19 Vaccination Record")
        head = [_p(text, "head") for text in (_("Dose"), _("Vaccine"), _("Lot"), _("Date"), _("Where"))]
        rows = [[_p(dose.dose_number), _p(_vaccine(dose.lot.product)), _p(dose.lot.lot_number),
                 _p(date_format(dose.administered_on, "SHORT_DATE_FORMAT")), _p(dose.location.name)]
                for dose in doses]
        table = Table([head, *rows], colWidths=[0.5 * inch, 2.4 * inch, 1.0 * inch, 1.0 * inch, WIDTH - 4.9 * inch],
                      repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, RULE), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        flowables = [
            _p(title, "title"),
            _p(_("Name: %(name)s") % {"name": f"{recipient.first_name} {recipient.last_name}"}, "label"),
            _p(_("Date of birth: %(date)s") % {"date": date_format(recipient.date_of_birth, "SHORT_DATE_FORMAT")},
               "label"),
            Spacer(1, 8), table, Spacer(1, 14),
            _p(_("SMART Health Card"), "section"),
            _p(_("This QR code holds your vaccination record, signed by the issuer so anyone can check it has not "
                 "been changed. Show it where proof of vaccination is asked for, or add it to a health wallet app."),
               "intro"),
            QrCode(card),
        ]
        return _pdf(title, flowables)


def _vaccine(product) -> str:
    """The product and its cap color in the reader's language; a reference name that already ends in
    its cap in English ("... (Gray Cap)") is shown without it, so the cap is named once."""
    if product.cap_color:
        name = _NAMED_CAP.sub("", product.display_name)
        return _("%(vaccine)s (%(cap)s cap)") % {"vaccine": name, "cap": product.cap_color_label}
    return product.display_name
