"""The USWDS file input speaks the page's language: on a Spanish page its instructions, its status
for screen readers, its label and the words after a file is chosen are the catalogue's Spanish,
not the English its script writes; an English page reads as before."""

import pytest

from tests.browser.conftest import PHONE, assert_accessible, assert_fits
from tests.catalogue import spanish_words

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPANISH = {"Drag file here or": "Arrastre el archivo aquí o", "choose from folder": "elíjalo en una carpeta",
           "Choose from folder": "Elíjalo en una carpeta", "No file selected.": "No eligió ningún archivo.",
           "Selected file": "Archivo elegido", "Change file": "Cambiar el archivo",
           "You have selected the file: %(name)s": "Eligió el archivo: %(name)s"}


def _file_input(page):
    box = page.locator(".usa-file-input").first
    return box, box.locator("input[type=file]")


def test_the_file_input_on_a_spanish_page_reads_in_spanish_before_and_after_a_file_is_chosen(
        browser, live_server, tmp_path):
    card = tmp_path / "card.smart-health-card"
    card.write_text('{"verifiableCredential": []}')
    context = browser.new_context(base_url=live_server.url, locale="es-US", viewport=PHONE)
    page = context.new_page()
    with spanish_words(SPANISH):
        page.goto("/recipient/verify/")
        box, field = _file_input(page)
        instructions = box.locator(".usa-file-input__instructions").inner_text()
        assert instructions == "Arrastre el archivo aquí o elíjalo en una carpeta"
        assert field.get_attribute("aria-label") == "Arrastre el archivo aquí o elíjalo en una carpeta"
        assert box.locator("[aria-live=polite]").text_content() == "No eligió ningún archivo."
        assert_accessible(page)
        assert_fits(page)

        field.set_input_files(str(card))
        heading = box.locator(".usa-file-input__preview-heading").inner_text()
        assert " ".join(heading.split()) == "Archivo elegido Cambiar el archivo"
        assert field.get_attribute("aria-label") == "Cambiar el archivo"
        page.wait_for_function("document.querySelector('.usa-file-input [aria-live=polite]').textContent"
                               ".startsWith('Eligió el archivo')")
        assert "card.smart-health-card" in box.locator("[aria-live=polite]").text_content()
        assert not [english for english in SPANISH if english in box.inner_text()]
    context.close()


def test_the_file_input_on_an_english_page_keeps_its_words(page):
    page.set_viewport_size(PHONE)
    page.goto("/recipient/verify/")
    box, field = _file_input(page)
    assert box.locator(".usa-file-input__instructions").inner_text() == "Drag file here or choose from folder"
    assert box.locator("[aria-live=polite]").text_content() == "No file selected."
