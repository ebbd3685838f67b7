from django.core.management import call_command

from cvms.inventory.models import VaccineProduct


def test_reference_data_loads_every_product_with_cdc_codes(reference_data):
    gray = VaccineProduct.objects.get(cvx="217")
    assert gray.display_name == "Pfizer-BioNTech COVID-19 Vaccine 12+ (Gray Cap)"
    assert gray.mvx == "PFR" and gray.doses_per_vial == 6
    assert "59267-1025-01" in gray.ndc_unit_of_use
    assert VaccineProduct.objects.count() == 15
    assert set(VaccineProduct.objects.values_list("mvx", flat=True)) == {"PFR", "MOD", "JSN", "NVX", ""}


def test_reference_data_load_is_idempotent(reference_data):
    call_command("load_reference_data", verbosity=0)
    assert VaccineProduct.objects.count() == 15


def test_retired_and_unspecified_products_cannot_be_ordered(reference_data):
    assert not VaccineProduct.objects.get(cvx="227").is_orderable
    assert not VaccineProduct.objects.get(cvx="213").is_orderable
    assert VaccineProduct.objects.filter(is_orderable=True, cvx="207").exists()
