"""The printable paper forms: PDFs that open, carry every field of the screens in their order with
the records' own labels and choices, list the location's lots, and speak English and Spanish."""

import datetime
import io

import pytest
from django.utils import timezone, translation
from django.utils.text import capfirst
from pypdf import PdfReader

from cvms.immunizations import choices as c
from cvms.immunizations.models import Immunization
from cvms.immunizations.paper_forms import (
    ADMINISTRATION_FIELDS,
    BLANK_LOT_ROWS_INVENTORY,
    REGISTRATION_FIELDS,
    inventory_levels_pdf,
    registration_form_pdf,
)
from cvms.immunizations.tests.history_fixtures import MODERNA, receive
from cvms.inventory.models import InventoryLot
from cvms.inventory.tests.factories import InventoryLotFactory, VaccineProductFactory
from cvms.recipients import choices as rc
from cvms.recipients.models import Recipient

TODAY = timezone.localdate()


def text_of(pdf: bytes) -> str:
    """The PDF's text as one line of words, as a reader would find it (wrapped lines joined)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _label(model, name: str) -> str:
    field = model._meta.get_field(name)
    return str(capfirst(field.verbose_name))


def _in_order(text: str, labels: list[str]) -> None:
    """Every label appears, each after the one before it."""
    position = 0
    for label in labels:
        found = text.find(label, position)
        assert found >= 0, f"{label!r} missing after position {position}"
        position = found + len(label)


@pytest.fixture
def lots(tenant_a):
    """Two current lots, one expired and one empty (neither of those two is printed)."""
    current = [receive(tenant_a, "FN7934"), receive(tenant_a, "MOD001", product=VaccineProductFactory(**MODERNA))]
    InventoryLotFactory(location=tenant_a.location, lot_number="EMPTY01")
    expired = receive(tenant_a, "OLD0001")
    InventoryLot.objects.filter(pk=expired.pk).update(expiration_date=TODAY - datetime.timedelta(days=1))
    return current


def test_the_registration_form_asks_every_field_of_the_screens_in_their_order(tenant_a, lots):
    text = text_of(registration_form_pdf(location=tenant_a.location, language="en"))
    assert text.startswith("Recipient Registration and COVID-19 Vaccine Administration Form")
    assert f"Location: {tenant_a.location.name} Provider PIN: {tenant_a.location.provider_pin}" in text
    registration = [_label(Recipient, name) for name in REGISTRATION_FIELDS]
    administration = [_label(Immunization, name) for name in ADMINISTRATION_FIELDS if name != "lot"]
    _in_order(text, ["Recipient registration", *registration, "Vaccine administration", "Product and lot",
                     *administration, "Signature of the recipient, parent or guardian"])
    assert registration[:3] == ["Legal first name", "Legal last name", "Date of birth"]


def test_the_registration_form_offers_every_choice_of_the_screens_with_their_labels(tenant_a, lots):
    text = text_of(registration_form_pdf(location=tenant_a.location, language="en"))
    for choices in (rc.Sex, rc.Race, rc.Ethnicity, rc.Industry, c.Site, c.Route):
        _in_order(text, [str(label) for label in choices.labels])
    _in_order(text, [f"{question} Yes No" for question in map(str, c.SCREENING_QUESTIONS.values())])
    assert "Race Check all that apply." in text and "Not employed or retired: choose Other." in text
    _in_order(text, ["Dose number", "1", "2", "3", "4", "5", "6", "Site"])


def test_the_registration_form_lists_the_current_lots_to_tick_and_no_expired_or_empty_one(tenant_a, lots):
    text = text_of(registration_form_pdf(location=tenant_a.location, language="en"))
    for lot in lots:
        assert f"{lot.product.display_name} {lot.lot_number} {lot.expiration_date:%m/%d/%Y}" in text
    assert "OLD0001" not in text and "EMPTY01" not in text


def test_the_inventory_levels_form_is_prefilled_with_the_current_lots_and_has_empty_rows(tenant_a, lots):
    pdf = inventory_levels_pdf(location=tenant_a.location, language="en", today=TODAY)
    text = text_of(pdf)
    assert text.startswith("CVMS Inventory Levels")
    _in_order(text, [tenant_a.location.name, "Date", "Counted by", "Vaccine product", "Lot number",
                     "Expiration date", "Doses on hand", "Doses given", "Doses wasted"])
    for lot in lots:
        assert f"{lot.product.display_name} {lot.lot_number} {lot.expiration_date:%m/%d/%Y}" in text
    assert "OLD0001" not in text and "EMPTY01" not in text and f"Lots printed as of {TODAY:%m/%d/%Y}." in text
    assert BLANK_LOT_ROWS_INVENTORY >= 5


def test_a_location_name_with_markup_characters_is_printed_as_written(tenant_a):
    tenant_a.location.name = "Smith & Sons <Pharmacy> O'Neil"
    for build in (registration_form_pdf, inventory_levels_pdf):
        assert "Location: Smith & Sons <Pharmacy> O'Neil" in text_of(build(location=tenant_a.location,
                                                                             language="en"))


#: Labels the Spanish catalogue already translates: the form uses the records' own words.
SPANISH_LABELS = ["Nombre legal", "Apellido legal", "Fecha de nacimiento", "Condado", "Número de lote",
                  "Fecha de vencimiento", "Número de dosis", "Sitio de aplicación", "Vía de administración",
                  "Ubicación", "PIN del proveedor"]


def test_the_spanish_forms_use_the_records_spanish_labels(tenant_a, lots):
    registration = text_of(registration_form_pdf(location=tenant_a.location, language="es"))
    inventory = text_of(inventory_levels_pdf(location=tenant_a.location, language="es"))
    for label in SPANISH_LABELS[:9]:
        assert label in registration, label
    for label in ("Producto de vacuna", "Número de lote", "Fecha de vencimiento", "Dosis disponibles"):
        assert label in inventory, label
    assert "Ubicación:" in registration and "PIN del proveedor:" in inventory


#: Words of the forms themselves (no record's field carries them). Each must read in Spanish, as
#: the catalogue translates it, whatever the wording chosen there.
FORM_WORDS = {
    "registration": ["Recipient Registration and COVID-19 Vaccine Administration Form", "Recipient registration",
                     "Vaccine administration", "Product and lot", "Check all that apply.",
                     "Signature of the recipient, parent or guardian", "For the clinic", "Entered in CVMS on"],
    "inventory": ["CVMS Inventory Levels", "Counted by", "Doses given", "Doses wasted"],
}


@pytest.mark.parametrize("form", sorted(FORM_WORDS))
def test_the_spanish_forms_are_in_spanish_throughout(tenant_a, lots, form):
    build = registration_form_pdf if form == "registration" else inventory_levels_pdf
    text = text_of(build(location=tenant_a.location, language="es"))
    with translation.override("es"):
        untranslated = [words for words in FORM_WORDS[form] if translation.gettext(words) == words]
        missing = [words for words in FORM_WORDS[form] if translation.gettext(words) not in text]
    assert not untranslated, f"not yet in the Spanish catalogue: {untranslated}"
    assert not missing
    assert [str(label) for label in rc.Race.labels][0] not in text  # the choices are Spanish too
