"""Foreign keys follow Organization and Location to the organizations app (no column changes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0001_initial'),
        ('uploads', '0003_upload_runs_checkpoint_line_bounded_error'),
    ]

    operations = [
        # The tables exist already (registry_…): only Django's picture of them changes.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.AlterField(
                    model_name='recipientupload',
                    name='location',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='recipient_uploads', to='organizations.location'),
                ),
                migrations.AlterField(
                    model_name='recipientupload',
                    name='organization',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='recipient_uploads', to='organizations.organization'),
                ),
        ]),
    ]
