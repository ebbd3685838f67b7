"""Immunizations models move here from the registry app, tables and all (see cvms.registry)."""

import django.db.models.deletion
from django.conf import settings
from cvms.registry.moves import move_content_types
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('registry', '0008_welcome_failure_mail_address_bounded_text'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0002_outbox'),
        ('admin', '0003_logentry_add_action_flag_choices'),
        ('inventory', '0001_initial'),
        ('organizations', '0001_initial'),
        ('recipients', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (registry_…): only Django's picture of them changes.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='Immunization',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('administered_at', models.DateTimeField(verbose_name='time given')),
                        ('dose_number', models.PositiveSmallIntegerField(verbose_name='dose number')),
                        ('site', models.CharField(choices=[('LA', 'Left arm'), ('RA', 'Right arm'), ('LD', 'Left deltoid'), ('RD', 'Right deltoid'), ('LT', 'Left thigh'), ('RT', 'Right thigh'), ('LVL', 'Left vastus lateralis'), ('RVL', 'Right vastus lateralis'), ('LG', 'Left gluteus medius'), ('RG', 'Right gluteus medius')], max_length=4, verbose_name='site')),
                        ('route', models.CharField(choices=[('C28161', 'Intramuscular'), ('C38299', 'Subcutaneous'), ('C38238', 'Intradermal'), ('C38284', 'Nasal'), ('C38288', 'Oral')], default='C28161', max_length=8, verbose_name='route')),
                        ('status', models.CharField(choices=[('completed', 'Completed'), ('entered_in_error', 'Entered in error')], default='completed', max_length=20, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('given_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='given by')),
                        ('ledger_entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='immunization', to='inventory.stockledgerentry')),
                        ('location', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='immunizations', to='organizations.location')),
                        ('lot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='immunizations', to='inventory.inventorylot')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='immunizations', to='recipients.recipient')),
                    ],
                    options={
                        'verbose_name': 'immunization',
                        'verbose_name_plural': 'immunizations',
                        'db_table': 'registry_immunization',
                        'ordering': ['-administered_at'],
                        'indexes': [models.Index(fields=['location', 'administered_at'], name='immunization_loc_time_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('dose_number__gte', 1), ('dose_number__lte', 6)), name='immunization_dose_1_6')],
                    },
                ),
        ]),
        move_content_types("immunizations", ["immunization"]),
    ]
