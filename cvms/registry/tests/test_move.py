"""A database filled under the registry app's layout migrates to the domain apps with every row,
audit entry and permission where it was."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from cvms.accounts.models import User
from cvms.core.models import AuditLog, OutboxMessage
from cvms.immunizations.models import Immunization
from cvms.inventory.models import InventoryLot, StockLedgerEntry, VaccineProduct
from cvms.organizations.models import Location, Organization, RedistributionAgreement, StorageUnit
from cvms.recipients.models import Recipient

#: The apps the registry's models moved to: migrating them to zero gives the old layout back.
DOMAIN_APPS = ["organizations", "recipients", "inventory", "immunizations"]
#: The models that moved out of the registry app (the domain apps have newer ones of their own).
MOVED_MODELS = ["organization", "location", "storageunit", "redistributionagreement", "recipient",
                "vaccineproduct", "inventorylot", "stockledgerentry", "immunization"]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _fill_old_layout(apps) -> dict:
    """Rows written with the registry app's own historical models, as main had them."""
    ContentType_ = apps.get_model("contenttypes", "ContentType")
    registry = {name: apps.get_model("registry", name) for name in (
        "Organization", "Location", "StorageUnit", "RedistributionAgreement", "Recipient", "VaccineProduct",
        "InventoryLot", "StockLedgerEntry", "Immunization")}
    user = apps.get_model("accounts", "User").objects.create(username="staff@example.com", email="staff@example.com")
    org = registry["Organization"].objects.create(name="Old Layout Health", kind="healthcare_provider")
    location = registry["Location"].objects.create(organization=org, name="Old Clinic", provider_pin="NCA123456")
    other = registry["Location"].objects.create(organization=org, name="Old Annex", provider_pin="NCA123457")
    unit = registry["StorageUnit"].objects.create(location=location, name="Fridge", kind="refrigerator",
                                                  min_temp_c=2, max_temp_c=8)
    agreement = registry["RedistributionAgreement"].objects.create(
        organization=org, signed_name="Pat Signer", signed_title="Director", signed_on=datetime.date(2021, 3, 1))
    agreement.locations.set([location, other])
    recipient = registry["Recipient"].objects.create(first_name="Olga", last_name="Oldlayout", source="walk_in",
                                                     date_of_birth=datetime.date(1950, 1, 2), source_location=location)
    product = registry["VaccineProduct"].objects.create(key="old-product", display_name="Old product", cvx="208")
    lot = registry["InventoryLot"].objects.create(location=location, product=product, lot_number="OLD1",
                                                  expiration_date=datetime.date(2030, 1, 1), storage_unit=unit)
    entry = registry["StockLedgerEntry"].objects.create(lot=lot, kind="receive", quantity=10)
    dose = registry["StockLedgerEntry"].objects.create(lot=lot, kind="administer", quantity=-1)
    registry["Immunization"].objects.create(
        recipient=recipient, lot=lot, location=location, dose_number=1, site="LD", given_by=user, ledger_entry=dose,
        administered_at=datetime.datetime(2021, 3, 2, tzinfo=datetime.UTC))
    recipient_type = ContentType_.objects.get(app_label="registry", model="recipient")
    apps.get_model("core", "AuditLog").objects.create(
        actor_label="staff@example.com", action="registry.recipient.created", content_type=recipient_type,
        object_id=str(recipient.pk), object_repr="Olga Oldlayout")
    apps.get_model("core", "OutboxMessage").objects.create(task="cvms.registry.tasks.send_welcome_emails",
                                                           args=[[recipient.pk]])
    staff = apps.get_model("auth", "Group").objects.create(name="Old layout staff")
    staff.permissions.set(apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="registry", codename__in=["change_location", "view_recipient"]))
    apps.get_model("accounts", "User").objects.filter(pk=user.pk).update(is_staff=True)
    user.groups.add(staff)
    return {"user": user.pk, "recipient": recipient.pk, "lot": lot.pk, "received": entry.pk}


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_registry_layout_migrates_with_its_rows_audit_and_permissions():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    old = _migrate([(app, None) for app in DOMAIN_APPS])
    try:
        assert not ContentType.objects.filter(app_label__in=DOMAIN_APPS, model__in=MOVED_MODELS).exists()
        ids = _fill_old_layout(old._create_project_state(with_applied_migrations=True).apps)
    finally:
        _migrate(leaves)
        ContentType.objects.clear_cache()

    recipient = Recipient.objects.get(pk=ids["recipient"])
    assert recipient.source_location.organization == Organization.objects.get(name="Old Layout Health")
    assert StorageUnit.objects.get(name="Fridge").location.name == "Old Clinic"
    assert set(RedistributionAgreement.objects.get().locations.values_list("name", flat=True)) == {
        "Old Clinic", "Old Annex"}
    assert VaccineProduct.objects.get(key="old-product").lots.get().on_hand == 9
    assert Immunization.objects.get().recipient == recipient
    entry = AuditLog.objects.get(action="registry.recipient.created")
    assert entry.content_type.model_class() is Recipient and entry.object_id == str(recipient.pk)
    assert OutboxMessage.objects.get().task == "cvms.recipients.tasks.send_welcome_emails"
    user = User.objects.get(pk=ids["user"])
    assert user.has_perm("organizations.change_location") and user.has_perm("recipients.view_recipient")
    assert set(Group.objects.get(name="Old layout staff").permissions.values_list("content_type__app_label",
                                                                                  flat=True)) == {
        "organizations", "recipients"}
    assert not ContentType.objects.filter(app_label="registry").exists()
    assert not Permission.objects.filter(content_type__app_label="registry").exists()

    # The triggers came along with the tables: the ledger still moves stock and stays append-only.
    lot = InventoryLot.objects.get(pk=ids["lot"])
    StockLedgerEntry.objects.create(lot=lot, kind="receive", quantity=5)
    lot.refresh_from_db()
    assert lot.on_hand == 14
    with pytest.raises(DatabaseError), transaction.atomic():
        StockLedgerEntry.objects.filter(pk=ids["received"]).update(quantity=100)
    assert Location.objects.filter(provider_pin="NCA123456").exists()
