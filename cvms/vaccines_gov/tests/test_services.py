"""The rules of 6.1, held by the service (naming the field) and by the database, and the audit."""

import pytest
from django.db import IntegrityError, transaction

from cvms.core.models import AuditLog
from cvms.vaccines_gov.choices import SupplyLevel
from cvms.vaccines_gov.models import LocationSettings, ProductSettings
from cvms.vaccines_gov.services import SettingsRefused, vaccines_gov_settings_save


def _refused(location, actor, **fields):
    with pytest.raises(SettingsRefused) as refused:
        vaccines_gov_settings_save(location=location, actor=actor, fields=fields)
    return refused.value.problems


def test_a_displayed_location_needs_a_phone_or_a_pre_screening_address(tenant_a):
    problems = _refused(tenant_a.location, tenant_a.manager, public_display=True, web_address="https://example.org")
    assert problems == {"public_phone": "A location shown on Vaccines.gov needs a public phone or a pre-screening "
                                        "web address."}
    assert not LocationSettings.objects.exists()
    vaccines_gov_settings_save(location=tenant_a.location, actor=tenant_a.manager,
                               fields={"public_display": True, "pre_screen_address": "https://example.org/screen"})
    assert LocationSettings.objects.get().public_display


def test_removing_the_only_contact_of_a_displayed_location_is_refused(tenant_a):
    vaccines_gov_settings_save(location=tenant_a.location, actor=tenant_a.manager,
                               fields={"public_display": True, "public_phone": "919-555-0100"})
    assert "public_phone" in _refused(tenant_a.location, tenant_a.manager, public_phone="")
    assert LocationSettings.objects.get().public_phone == "9195550100"


def test_web_addresses_must_be_http_or_https(tenant_a):
    problems = _refused(tenant_a.location, tenant_a.manager, web_address="javascript:alert(1)",
                        pre_screen_address="ftp://example.org/form")
    assert set(problems) == {"web_address", "pre_screen_address"}
    assert problems["web_address"].startswith("Enter a web address starting with https:// or http://")


def test_phone_is_checked_as_everywhere_else(tenant_a):
    assert _refused(tenant_a.location, tenant_a.manager, public_phone="555-0100") == {
        "public_phone": "Enter 10 digits, for example 9195555555."}
    vaccines_gov_settings_save(location=tenant_a.location, actor=tenant_a.manager,
                               fields={"public_phone": "+1 (919) 555-0100"})
    assert LocationSettings.objects.get().public_phone == "9195550100"


@pytest.mark.parametrize("fields", [
    {"public_display": True},
    {"public_phone": "555"},
    {"web_address": "javascript:alert(1)"},
    {"latitude": 35.7},
])
def test_the_database_holds_the_rules_too(tenant_a, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        LocationSettings.objects.create(location=tenant_a.location, **fields)


def test_supply_level_outside_the_codes_is_refused_by_the_database(tenant_a, gray):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductSettings.objects.create(location=tenant_a.location, product=gray, in_stock=True, supply_level=5)


def test_only_products_the_location_reports_on_may_be_given(tenant_a, gray):
    with pytest.raises(SettingsRefused) as refused:
        vaccines_gov_settings_save(location=tenant_a.location, actor=tenant_a.manager, fields={},
                                   products={gray.pk: {"in_stock": True, "supply_level": 3}})
    assert set(refused.value.problems) == {"products"} and not ProductSettings.objects.exists()


def test_every_change_is_audited_with_its_fields(listed, tenant_a, gray):
    assert AuditLog.objects.filter(action="vaccines_gov.settings.created", actor=tenant_a.manager).exists()
    vaccines_gov_settings_save(location=listed, actor=tenant_a.coordinator, fields={"walkins_accepted": False},
                               products={gray.pk: {"in_stock": False, "supply_level": SupplyLevel.NO_SUPPLY}})
    change = AuditLog.objects.filter(action="vaccines_gov.settings.updated").latest("pk")
    assert change.actor == tenant_a.coordinator and change.changes == {"walkins_accepted": [True, False]}
    product = AuditLog.objects.filter(action="vaccines_gov.product.updated").latest("pk")
    assert product.changes["in_stock"] == [True, False] and product.changes["supply_level"] == [3, 0]
    record = LocationSettings.objects.get(location=listed)
    assert record.updated_by == tenant_a.coordinator


def test_saving_nothing_new_writes_no_audit_entry(listed, tenant_a):
    before = AuditLog.objects.count()
    vaccines_gov_settings_save(location=listed, actor=tenant_a.manager, fields={"walkins_accepted": True})
    assert AuditLog.objects.count() == before
