"""The printable forms a location uses when CVMS cannot be reached ("CVMS Offline Operations"):
the Recipient Registration and COVID-19 Vaccine Administration Form, and the CVMS Inventory
Levels form. Each mirrors the screens field by field, in their order, with the labels and choices
the records themselves carry (``verbose_name``, ``choices``), so a form typed back in later never
asks for what the screen does not, and a choice added to the screens appears here too.

Rendered with ReportLab in the language asked for (``translation.override``)."""

import datetime
import io
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cvms.immunizations import choices as c
from cvms.immunizations.models import Immunization
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.inventory.selectors import location_inventory
from cvms.recipients.models import Recipient

#: The walk-in registration screen's fields, in its order.
REGISTRATION_FIELDS = ("first_name", "last_name", "date_of_birth", "email", "phone", "address_line1",
                       "address_line2", "city", "state", "zip_code", "county", "sex", "race", "ethnicity",
                       "employer", "industry")
OPTIONAL_REGISTRATION_FIELDS = frozenset({"email", "address_line2", "employer"})
#: The vaccine administration screen's fields, in its order (the product is chosen with its lot).
ADMINISTRATION_FIELDS = ("lot", "dose_number", "site", "route", "dose_volume_ml", "given_by", "administered_on",
                         "administered_at", "screening", "consent_given")
#: Empty rows under the location's lots, for lots that arrive after the form was printed.
BLANK_LOT_ROWS_REGISTRATION = 2
BLANK_LOT_ROWS_INVENTORY = 8
MAX_DOSE_NUMBER = 6  # the records allow doses 1 to 6

INK = colors.HexColor("#1b1b1b")
RULE = colors.HexColor("#71767a")
SHADE = colors.HexColor("#f0f0f0")
_BASE = ParagraphStyle("cvms", fontName="Helvetica", fontSize=9, leading=11, textColor=INK)
STYLES = {
    "title": ParagraphStyle("title", _BASE, fontName="Helvetica-Bold", fontSize=15, leading=19, spaceAfter=4),
    "intro": ParagraphStyle("intro", _BASE, spaceAfter=6),
    "section": ParagraphStyle("section", _BASE, fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=6,
                              spaceAfter=2),
    "label": ParagraphStyle("label", _BASE, fontName="Helvetica-Bold"),
    "hint": ParagraphStyle("hint", _BASE, fontSize=8, leading=10, textColor=colors.HexColor("#565c65")),
    "cell": _BASE,
    "head": ParagraphStyle("head", _BASE, fontName="Helvetica-Bold", fontSize=8.5, leading=10.5),
    "center": ParagraphStyle("center", _BASE, alignment=TA_CENTER),
}
WIDTH = LETTER[0] - 1.2 * inch


class Box(Flowable):
    """A square to tick."""

    size = 9

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.size, self.size)


def _p(text, style: str = "cell") -> Paragraph:
    """Text as a paragraph; escaped, since ReportLab reads markup in it (a location called A&B)."""
    return Paragraph(escape(str(text)), STYLES[style])


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def _choices(model, name: str) -> list[str]:
    return [str(label) for value, label in model._meta.get_field(name).choices if value]


def _ticks(labels, columns: int = 3) -> Table:
    """A box before each of ``labels``, ``columns`` to a row."""
    cells = [[Box(), _p(label)] for label in labels]
    cells += [["", ""]] * (-len(cells) % columns)
    rows = [sum(cells[i:i + columns], []) for i in range(0, len(cells), columns)]
    share = WIDTH * 0.74 / columns
    table = Table(rows, colWidths=[14, share - 14] * columns, hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _field(label: str, entry, hint: str = "") -> list:
    """One field: its label (and hint) on the left, a line to write on or boxes to tick on the right."""
    name = [_p(label, "label")] + ([_p(hint, "hint")] if hint else [])
    return [name, entry]


_LINE = ""  # a field written by hand: the row's bottom rule is the line


def _fields_table(rows: list) -> Table:
    table = Table(rows, colWidths=[WIDTH * 0.26, WIDTH * 0.74], hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 3),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    style += [("LINEBELOW", (1, i), (1, i), 0.6, RULE) for i, (_name, entry) in enumerate(rows) if entry == _LINE]
    table.setStyle(TableStyle(style))
    return table


def _grid(header: list[str], body: list[list], widths: list[float], *, blank_rows: int = 0) -> Table:
    """A ruled table with a shaded header row that repeats on each page, and ``blank_rows`` empty
    rows tall enough to write in."""
    body = [*body, *([[""] * len(header)] * blank_rows)]
    heights = [None] * (len(body) + 1 - blank_rows) + [22] * blank_rows
    table = Table([[_p(h, "head") for h in header], *body], colWidths=widths, rowHeights=heights, repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, RULE), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def _where(location) -> Paragraph:
    pin = location.provider_pin or "—"
    return Paragraph(f"<b>{escape(_('Location'))}:</b> {escape(location.name)} &nbsp; "
                     f"<b>{escape(_('Provider PIN'))}:</b> {escape(pin)}", STYLES["intro"])


def _current_lots(location, today: datetime.date | None = None) -> list[InventoryLot]:
    """The location's unexpired lots with doses on hand, soonest to expire first."""
    return location_inventory(location, today=today).current


def _pdf(title: str, flowables: list) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=LETTER, title=title, author="CVMS", leftMargin=0.6 * inch,
                                 rightMargin=0.6 * inch, topMargin=0.6 * inch, bottomMargin=0.6 * inch)

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(RULE)
        canvas.drawString(0.6 * inch, 0.4 * inch, title)
        canvas.drawRightString(LETTER[0] - 0.6 * inch, 0.4 * inch, _("Page %(page)d") % {"page": doc.page})
        canvas.restoreState()

    document.build(flowables, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- Recipient Registration and COVID-19 Vaccine Administration Form

def _registration_rows() -> list:
    hints = {
        "first_name": _("As on an official document; no alias or nickname."),
        "last_name": _("As on an official document; no alias or nickname."),
        "date_of_birth": _("MM/DD/YYYY"),
        "email": _("Optional."),
        "address_line2": _("Optional."),
        "race": _("Check all that apply."),
        "employer": _("Optional. Leave blank when not employed or retired."),
        "industry": _("Not employed or retired: choose Other."),
    }
    rows = []
    for name in REGISTRATION_FIELDS:
        field = Recipient._meta.get_field(name)
        choices = field.base_field.choices if name == "race" else field.choices
        if choices:
            entry = _ticks([label for value, label in choices if value], columns=2 if name == "race" else 3)
        else:
            entry = _LINE
        rows.append(_field(_label(Recipient, name), entry, hints.get(name, "")))
    return rows


def _lot_choice_table(location) -> Table:
    header = ["", capfirst(VaccineProduct._meta.verbose_name), _label(InventoryLot, "lot_number"),
              _label(InventoryLot, "expiration_date")]
    body = [[Box(), _p(lot.product.display_name), _p(lot.lot_number), _p(lot.expiration_date.strftime("%m/%d/%Y"))]
            for lot in _current_lots(location)]
    body += [[Box(), "", "", ""] for _row in range(BLANK_LOT_ROWS_REGISTRATION)]
    return _grid(header, body, [0.35 * inch, WIDTH * 0.55, WIDTH * 0.2, WIDTH - 0.35 * inch - WIDTH * 0.75])


def _screening_table() -> Table:
    yes, no = c.Answer.YES.label, c.Answer.NO.label
    body = [[_p(question), Box(), _p(yes), Box(), _p(no)] for question in c.SCREENING_QUESTIONS.values()]
    widths = [WIDTH - 1.7 * inch, 0.2 * inch, 0.65 * inch, 0.2 * inch, 0.65 * inch]
    table = _grid([capfirst(Immunization._meta.get_field("screening").verbose_name), "", "", "", ""], body, widths)
    table.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0)), ("INNERGRID", (1, 1), (-1, -1), 0, colors.white),
                               ("LINEBEFORE", (1, 1), (1, -1), 0.6, RULE)]))
    return table


def _administration_rows() -> list:
    rows = [
        _field(_label(Immunization, "dose_number"), _ticks([str(n) for n in range(1, MAX_DOSE_NUMBER + 1)], 6)),
        _field(_label(Immunization, "site"), _ticks(_choices(Immunization, "site"), 2)),
        _field(_label(Immunization, "route"), _ticks(_choices(Immunization, "route"), 3)),
        _field(_label(Immunization, "dose_volume_ml"), _LINE),
        _field(_label(Immunization, "given_by"), _LINE, _("The vaccinator's name.")),
        _field(_label(Immunization, "administered_on"), _LINE, _("MM/DD/YYYY")),
        _field(_label(Immunization, "administered_at"), _LINE, _("HH:MM, and AM or PM")),
    ]
    return rows


def _consent_rows() -> list:
    return [
        _field(_label(Immunization, "consent_given"),
               _ticks([_("The recipient, or their parent or guardian, consents to this vaccination.")], 1)),
        _field(_("Signature of the recipient, parent or guardian"), _LINE),
        _field(_("Date"), _LINE, _("MM/DD/YYYY")),
    ]


def registration_form_pdf(*, location, language: str) -> bytes:
    """The Recipient Registration and COVID-19 Vaccine Administration Form of ``location`` in
    ``language``: the walk-in registration screen, then the vaccine administration screen (the
    location's lots as they are now, and rows for others), the screening questions and consent."""
    with translation.override(language):
        title = _("Recipient Registration and COVID-19 Vaccine Administration Form")
        story = [
            _p(title, "title"), _where(location),
            _p(_("Use this form only while CVMS cannot be reached. Fill in one form for each recipient, then "
                 "enter it in CVMS as soon as it is back: check the recipient in and choose Back-entry from a "
                 "paper form, with the real date and time."), "intro"),
            _p(_("Recipient registration"), "section"), _fields_table(_registration_rows()),
            KeepTogether([_p(_("Vaccine administration"), "section"), _p(_("Product and lot"), "label"),
                          _p(_("Tick the lot the dose was drawn from, or write it in."), "hint"),
                          Spacer(1, 3), _lot_choice_table(location)]),
            Spacer(1, 4), _fields_table(_administration_rows()),
            KeepTogether([Spacer(1, 6), _screening_table(), Spacer(1, 4), _fields_table(_consent_rows())]),
            KeepTogether([_p(_("For the clinic"), "section"), _fields_table([
                _field(_("Entered in CVMS on"), _LINE, _("MM/DD/YYYY")), _field(_("Entered by"), _LINE)])]),
        ]
        return _pdf(title, story)


# --- CVMS Inventory Levels

def inventory_levels_pdf(*, location, language: str, today: datetime.date | None = None) -> bytes:
    """The CVMS Inventory Levels form of ``location`` in ``language``: who counted and when, then a
    row per lot (product, lot, expiry, doses on hand, given and wasted), prefilled with the
    location's current lots, and empty rows for lots that arrive during the outage."""
    today = today or timezone.localdate()
    with translation.override(language):
        title = _("CVMS Inventory Levels")
        header = [capfirst(VaccineProduct._meta.verbose_name), _label(InventoryLot, "lot_number"),
                  _label(InventoryLot, "expiration_date"), _label(InventoryLot, "on_hand"), _("Doses given"),
                  _("Doses wasted")]
        body = [[_p(lot.product.display_name), _p(lot.lot_number), _p(lot.expiration_date.strftime("%m/%d/%Y")),
                 "", "", ""] for lot in _current_lots(location, today)]
        count_width = WIDTH * 0.12
        widths = [WIDTH * 0.34, WIDTH * 0.15, WIDTH * 0.15, count_width, count_width, count_width]
        story = [
            _p(title, "title"), _where(location),
            _p(_("Count every lot at the location during the outage. When CVMS is back, record the doses given "
                 "with Back-entry from a paper form and the doses wasted on each lot's page, then check that "
                 "the doses on hand agree."), "intro"),
            _fields_table([_field(_("Date"), _LINE, _("MM/DD/YYYY")), _field(_("Counted by"), _LINE)]),
            Spacer(1, 8), _grid(header, body, widths, blank_rows=BLANK_LOT_ROWS_INVENTORY),
            _p(_("Lots printed as of %(date)s.") % {"date": date_format(today, "SHORT_DATE_FORMAT")}, "hint"),
        ]
        return _pdf(title, story)
