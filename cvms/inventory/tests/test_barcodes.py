"""Scanned GS1 strings read into product, lot and expiry, built from the reference data's NDCs."""

import datetime

import pytest

from cvms.inventory.barcodes import BarcodeUnreadable, barcode_read, ndc_11, ndc_11_forms
from cvms.inventory.models import VaccineProduct

pytestmark = pytest.mark.usefixtures("reference_data")

GS = "\x1d"
#: Pfizer 12+ Gray Cap carton, NDC 59267-1025-4 (5-4-1): GTIN 00359267102546.
PFIZER_GRAY_CARTON = "00359267102546"
#: Moderna 12+ Red Cap carton, NDC 80777-273-99 (5-3-2): GTIN 00380777273990.
MODERNA_RED_CARTON = "00380777273990"
#: Pfizer 5-11 Orange Cap vial, NDC 59267-1055-1: GTIN 00359267105516.
PFIZER_ORANGE_VIAL = "00359267105516"
#: Pfizer 12+ Gray Cap under Pfizer's other labeler code, NDC 0069-2025-25 (4-4-2).
PFIZER_GRAY_0069 = "00300692025252"


def _product(key):
    return VaccineProduct.objects.get(key=key)


def test_datamatrix_with_symbology_prefix_and_group_separator_fills_product_lot_and_expiry():
    label = barcode_read(f"]d201{PFIZER_GRAY_CARTON}17250731{'10'}FN7934{GS}21SERIAL0001\r\n")
    assert label.product == _product("pfizer-12-gray")
    assert (label.gtin, label.ndc, label.lot_number) == (PFIZER_GRAY_CARTON, "5926710254", "FN7934")
    assert label.expiration_date == datetime.date(2025, 7, 31)


def test_lot_before_expiry_needs_the_separator_and_reads_the_same():
    label = barcode_read(f"01{MODERNA_RED_CARTON}10039B21A{GS}17240630")
    assert label.product == _product("moderna-12-red")
    assert (label.lot_number, label.expiration_date) == ("039B21A", datetime.date(2024, 6, 30))


def test_qr_code_prefix_is_read():
    label = barcode_read(f"]Q301{PFIZER_ORANGE_VIAL}1726033110FK5127")
    assert label.product == _product("pfizer-5-11-orange")
    assert label.expiration_date == datetime.date(2026, 3, 31)


def test_human_readable_text_with_parentheses_and_spaces_is_read():
    label = barcode_read(f"(01) {PFIZER_GRAY_0069} (17) 251130 (10) GH2044")
    assert label.product == _product("pfizer-12-gray")
    assert (label.lot_number, label.expiration_date) == ("GH2044", datetime.date(2025, 11, 30))


def test_expiry_day_00_means_the_last_day_of_the_month():
    assert barcode_read(f"01{MODERNA_RED_CARTON}1725020010AB1").expiration_date == datetime.date(2025, 2, 28)


def test_a_bare_gtin_fills_the_product_only():
    label = barcode_read(PFIZER_GRAY_CARTON)
    assert label.product == _product("pfizer-12-gray") and label.lot_number == "" and label.expiration_date is None


def test_gtin_no_product_matches_says_so_and_shows_the_gtin():
    with pytest.raises(BarcodeUnreadable, match="GTIN 00312345678906 .*matches no vaccine product") as refused:
        barcode_read("010031234567890617251231101")
    assert refused.value.field == "barcode"


def test_gtin_of_a_non_drug_item_is_refused_naming_it():
    with pytest.raises(BarcodeUnreadable, match="GTIN 04012345678901 is not a US drug code"):
        barcode_read("0104012345678901")


def test_wrong_check_digit_names_the_product_code():
    with pytest.raises(BarcodeUnreadable, match="product code 00359267102547 has a wrong check digit"):
        barcode_read("010035926710254717250731")


def test_impossible_expiry_names_the_expiration_date():
    with pytest.raises(BarcodeUnreadable, match=r"expiration date \(17\) is not a date"):
        barcode_read(f"01{PFIZER_GRAY_CARTON}1725133110AB1")


def test_text_that_is_not_gs1_says_where_reading_stopped():
    with pytest.raises(BarcodeUnreadable, match="could not be read from “hello world” on"):
        barcode_read("hello world")


def test_label_without_a_gtin_is_refused():
    with pytest.raises(BarcodeUnreadable, match=r"no product code \(GTIN, field 01\)"):
        barcode_read("17251231" + "10AB1")


def test_empty_scan_asks_for_a_barcode():
    with pytest.raises(BarcodeUnreadable, match="Scan the barcode"):
        barcode_read(" \r\n")


def test_ndc_forms_pad_the_segment_a_ten_digit_code_shortened():
    assert ndc_11("80777-273-99") == ndc_11("80777-0273-99") == "80777027399"
    assert "80777027399" in ndc_11_forms("8077727399")
    assert "00069202525" in ndc_11_forms("0069202525")
