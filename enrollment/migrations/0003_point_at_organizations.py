"""Foreign keys follow Organization, Location and StorageUnit to the organizations app (no column changes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0002_mail_address_bounded_text'),
        ('organizations', '0001_initial'),
    ]

    operations = [
        # The tables exist already (registry_…): only Django's picture of them changes.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.AlterField(
                    model_name='agreement',
                    name='organization',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='provider_agreement', to='organizations.organization', verbose_name='organization'),
                ),
                migrations.AlterField(
                    model_name='versionlocation',
                    name='location',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.location'),
                ),
                migrations.AlterField(
                    model_name='versionstorageunit',
                    name='storage_unit',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.storageunit'),
                ),
        ]),
    ]
