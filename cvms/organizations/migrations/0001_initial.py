"""Organizations models move here from the registry app, tables and all (see cvms.registry)."""

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
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (registry_…): only Django's picture of them changes.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='Organization',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('address_line1', models.CharField(blank=True, max_length=200, verbose_name='street address')),
                        ('address_line2', models.CharField(blank=True, max_length=200, verbose_name='address line 2')),
                        ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                        ('state', models.CharField(blank=True, max_length=2, verbose_name='state')),
                        ('zip_code', models.CharField(blank=True, max_length=10, verbose_name='ZIP code')),
                        ('county', models.CharField(blank=True, db_index=True, max_length=100, verbose_name='county')),
                        ('name', models.CharField(max_length=200, verbose_name='legal name')),
                        ('kind', models.CharField(choices=[('healthcare_provider', 'Healthcare provider'), ('employer', 'Employer'), ('local_health_department', 'Local health department')], max_length=32, verbose_name='kind')),
                        ('provider_type', models.CharField(blank=True, choices=[('hospital', 'Hospital'), ('pharmacy', 'Pharmacy'), ('local_health_department', 'Local health department'), ('fqhc', 'Federally qualified health center'), ('long_term_care', 'Long-term care'), ('private_practice', 'Private practice'), ('other', 'Other')], max_length=32, verbose_name='organization type')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('active', 'Active'), ('suspended', 'Suspended')], default='pending', max_length=16, verbose_name='status')),
                        ('phone', models.CharField(blank=True, max_length=15, verbose_name='phone')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'organization',
                        'verbose_name_plural': 'organizations',
                        'db_table': 'registry_organization',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('phone__regex', '^[0-9]*$')), name='org_phone_digits')],
                    },
                ),
                migrations.CreateModel(
                    name='Location',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('address_line1', models.CharField(blank=True, max_length=200, verbose_name='street address')),
                        ('address_line2', models.CharField(blank=True, max_length=200, verbose_name='address line 2')),
                        ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                        ('state', models.CharField(blank=True, max_length=2, verbose_name='state')),
                        ('zip_code', models.CharField(blank=True, max_length=10, verbose_name='ZIP code')),
                        ('county', models.CharField(blank=True, db_index=True, max_length=100, verbose_name='county')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('provider_pin', models.CharField(blank=True, help_text='Jurisdiction prefix plus six digits, e.g. NCA650001.', max_length=10, null=True, unique=True, verbose_name='Provider PIN')),
                        ('vtrcks_pin', models.CharField(blank=True, max_length=6, verbose_name='VTrckS PIN')),
                        ('phone', models.CharField(blank=True, max_length=15, verbose_name='phone')),
                        ('location_type', models.CharField(blank=True, choices=[('hospital', 'Hospital'), ('pharmacy', 'Pharmacy'), ('public_health_clinic', 'Public health clinic'), ('medical_practice', 'Medical practice'), ('health_center', 'Community or federally qualified health center'), ('long_term_care', 'Long-term care facility'), ('mass_vaccination', 'Mass vaccination site'), ('mobile', 'Mobile or temporary clinic'), ('other', 'Other')], max_length=32, verbose_name='location type')),
                        ('hours', models.CharField(blank=True, max_length=500, verbose_name='hours of operation')),
                        ('population_served', models.PositiveIntegerField(blank=True, null=True, verbose_name='estimated population served')),
                        ('is_active', models.BooleanField(default=False, verbose_name='active')),
                        ('loaded_recipient_count', models.PositiveIntegerField(default=0, editable=False, help_text='Recipients loaded at this location, kept by the registry services so the list never counts a large table.', verbose_name='recipients loaded')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='locations', to='organizations.organization')),
                    ],
                    options={
                        'verbose_name': 'location',
                        'verbose_name_plural': 'locations',
                        'db_table': 'registry_location',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='RedistributionAgreement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('signed_name', models.CharField(max_length=200, verbose_name='signed by (full name)')),
                        ('signed_title', models.CharField(max_length=200, verbose_name='title')),
                        ('signed_on', models.DateField(verbose_name='date signed')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn')),
                        ('locations', models.ManyToManyField(related_name='redistribution_agreements', to='organizations.location', verbose_name='locations')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='redistribution_agreements', to='organizations.organization')),
                        ('signed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'redistribution agreement',
                        'verbose_name_plural': 'redistribution agreements',
                        'db_table': 'registry_redistributionagreement',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='StorageUnit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('kind', models.CharField(choices=[('refrigerator', 'Refrigerator'), ('freezer', 'Freezer'), ('ultra_cold_freezer', 'Ultra-cold freezer')], max_length=32, verbose_name='kind')),
                        ('min_temp_c', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='minimum temperature (°C)')),
                        ('max_temp_c', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='maximum temperature (°C)')),
                        ('has_data_logger', models.BooleanField(default=False, verbose_name='has a digital data logger')),
                        ('location', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='storage_units', to='organizations.location')),
                    ],
                    options={
                        'verbose_name': 'storage unit',
                        'verbose_name_plural': 'storage units',
                        'db_table': 'registry_storageunit',
                        'ordering': ['location', 'name'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='location',
                    constraint=models.CheckConstraint(condition=models.Q(('provider_pin__regex', '^[A-Z]{2,4}[0-9]{6}$')), name='location_pin_format'),
                ),
                migrations.AddConstraint(
                    model_name='location',
                    constraint=models.CheckConstraint(condition=models.Q(('vtrcks_pin__regex', '^([0-9]{6})?$')), name='location_vtrcks_format'),
                ),
                migrations.AddConstraint(
                    model_name='location',
                    constraint=models.CheckConstraint(condition=models.Q(('phone__regex', '^[0-9]*$')), name='location_phone_digits'),
                ),
                migrations.AddConstraint(
                    model_name='redistributionagreement',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('signed_name', ''), _negated=True), models.Q(('signed_title', ''), _negated=True)), name='redistribution_signed'),
                ),
                migrations.AddConstraint(
                    model_name='storageunit',
                    constraint=models.CheckConstraint(condition=models.Q(('min_temp_c__lt', models.F('max_temp_c'))), name='storage_temp_range'),
                ),
                migrations.AddConstraint(
                    model_name='storageunit',
                    constraint=models.UniqueConstraint(fields=('location', 'name'), name='storage_unit_name_unique'),
                ),
        ]),
        move_content_types("organizations", ["organization", "location", "storageunit", "redistributionagreement"]),
    ]
