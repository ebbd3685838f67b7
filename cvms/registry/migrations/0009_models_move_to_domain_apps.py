"""The registry's models now belong to the domain apps: Django forgets them here, the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_roles_point_at_organizations'),
        ('enrollment', '0003_point_at_organizations'),
        ('registry', '0008_welcome_failure_mail_address_bounded_text'),
        ('uploads', '0004_point_at_organizations'),
    ]

    operations = [
        # The tables exist already (registry_…): only Django's picture of them changes.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.RemoveField(
                    model_name='inventorylot',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='inventorylot',
                    name='product',
                ),
                migrations.RemoveField(
                    model_name='inventorylot',
                    name='storage_unit',
                ),
                migrations.RemoveField(
                    model_name='stockledgerentry',
                    name='lot',
                ),
                migrations.RemoveField(
                    model_name='location',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='redistributionagreement',
                    name='locations',
                ),
                migrations.RemoveField(
                    model_name='storageunit',
                    name='location',
                ),
                migrations.RemoveField(
                    model_name='recipient',
                    name='source_location',
                ),
                migrations.RemoveField(
                    model_name='redistributionagreement',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='recipient',
                    name='employer',
                ),
                migrations.RemoveField(
                    model_name='recipient',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='recipient',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='redistributionagreement',
                    name='signed_by',
                ),
                migrations.RemoveField(
                    model_name='stockledgerentry',
                    name='actor',
                ),
                migrations.DeleteModel(
                    name='Immunization',
                ),
                migrations.DeleteModel(
                    name='VaccineProduct',
                ),
                migrations.DeleteModel(
                    name='InventoryLot',
                ),
                migrations.DeleteModel(
                    name='StorageUnit',
                ),
                migrations.DeleteModel(
                    name='Location',
                ),
                migrations.DeleteModel(
                    name='Organization',
                ),
                migrations.DeleteModel(
                    name='Recipient',
                ),
                migrations.DeleteModel(
                    name='RedistributionAgreement',
                ),
                migrations.DeleteModel(
                    name='StockLedgerEntry',
                ),
        ]),
    ]
