"""The PDF names a product's cap color once, in the reader's language: the Spanish record says
"tapa gris", never the English "gray" nor the reference name's "(Gray Cap)" beside it."""

import datetime
import io

import pytest
from django.utils import timezone, translation

from cvms.health_cards.pdf import health_card_pdf
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from tests.catalogue import spanish_words

pytestmark = pytest.mark.django_db

#: Spanish words for cap colors, as the catalogue holds them once translated.
SPANISH = {"cap color\x04gray": "gris", "cap color\x04dark blue": "azul oscuro"}


@pytest.fixture
def spanish_cap_colors():
    with spanish_words(SPANISH):
        yield


def _pdf_text(recipient, language: str) -> str:
    from pypdf import PdfReader

    pdf = health_card_pdf(recipient=recipient, language=language)
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_names_the_cap_color_once_in_the_readers_language(tenant_a, spanish_cap_colors):
    product = VaccineProductFactory(display_name="Pfizer-BioNTech COVID-19 Vaccine 12+ (Gray Cap)", cap_color="gray")
    lot = lot_receive(location=tenant_a.location, product=product, lot_number="CAP1",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    immunization_record(recipient=tenant_a.recipient, lot=lot, given_by=tenant_a.vaccinator)

    spanish = _pdf_text(tenant_a.recipient, "es")
    assert "Pfizer-BioNTech COVID-19 Vaccine 12+ (tapa gris)" in spanish
    assert "gray" not in spanish.lower()
    english = _pdf_text(tenant_a.recipient, "en")
    assert "Pfizer-BioNTech COVID-19 Vaccine 12+ (gray cap)" in english and "Gray Cap" not in english


def test_a_cap_color_reads_in_the_active_language_and_an_unknown_one_as_stored(spanish_cap_colors):
    product = VaccineProductFactory.build(cap_color="dark blue")
    with translation.override("es"):
        assert product.cap_color_label == "azul oscuro"
        assert VaccineProductFactory.build(cap_color="teal").cap_color_label == "teal"
    with translation.override("en"):
        assert product.cap_color_label == "dark blue"
