"""Inventory models move here from the registry app, tables and all (see cvms.registry)."""

import django.contrib.postgres.fields
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
        ('organizations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (registry_…): only Django's picture of them changes.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='VaccineProduct',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.SlugField(max_length=64, unique=True, verbose_name='product key')),
                        ('display_name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                        ('cap_color', models.CharField(blank=True, max_length=40, verbose_name='cap color')),
                        ('label_border', models.CharField(blank=True, max_length=40, verbose_name='label border')),
                        ('cvx', models.CharField(max_length=3, verbose_name='CVX')),
                        ('mvx', models.CharField(blank=True, max_length=3, verbose_name='MVX')),
                        ('ndc_unit_of_sale', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=13), default=list, size=10, verbose_name='NDC unit of sale')),
                        ('ndc_unit_of_use', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=13), default=list, size=10, verbose_name='NDC unit of use')),
                        ('doses_per_vial', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='doses per vial')),
                        ('dose_volume_ml', models.DecimalField(blank=True, decimal_places=2, max_digits=4, null=True, verbose_name='dose volume (mL)')),
                        ('dose_mcg', models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True, verbose_name='dose (mcg)')),
                        ('diluent_ml', models.DecimalField(blank=True, decimal_places=2, max_digits=4, null=True, verbose_name='diluent (mL)')),
                        ('min_age_months', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='minimum age (months)')),
                        ('max_age_months', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='maximum age (months)')),
                        ('storage_ult_c_min', models.SmallIntegerField(blank=True, null=True)),
                        ('storage_ult_c_max', models.SmallIntegerField(blank=True, null=True)),
                        ('storage_freezer_c_min', models.SmallIntegerField(blank=True, null=True)),
                        ('storage_freezer_c_max', models.SmallIntegerField(blank=True, null=True)),
                        ('storage_fridge_days', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='days at 2–8 °C')),
                        ('room_temp_hours', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='hours at room temperature')),
                        ('post_puncture_hours', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='hours after first puncture')),
                        ('active_from', models.DateField(blank=True, null=True)),
                        ('active_to', models.DateField(blank=True, null=True)),
                        ('is_orderable', models.BooleanField(default=True, verbose_name='orderable')),
                    ],
                    options={
                        'verbose_name': 'vaccine product',
                        'verbose_name_plural': 'vaccine products',
                        'db_table': 'registry_vaccineproduct',
                        'ordering': ['display_name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('cvx__regex', '^[0-9]{1,3}$')), name='product_cvx_format'), models.CheckConstraint(condition=models.Q(('min_age_months__isnull', True), ('max_age_months__isnull', True), ('min_age_months__lte', models.F('max_age_months')), _connector='OR'), name='product_age_range')],
                    },
                ),
                migrations.CreateModel(
                    name='InventoryLot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('lot_number', models.CharField(max_length=40, verbose_name='lot number')),
                        ('expiration_date', models.DateField(verbose_name='expiration date')),
                        ('on_hand', models.IntegerField(default=0, editable=False, verbose_name='doses on hand')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('location', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lots', to='organizations.location')),
                        ('storage_unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='lots', to='organizations.storageunit')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lots', to='inventory.vaccineproduct')),
                    ],
                    options={
                        'verbose_name': 'inventory lot',
                        'verbose_name_plural': 'inventory lots',
                        'db_table': 'registry_inventorylot',
                        'ordering': ['expiration_date', 'lot_number'],
                    },
                ),
                migrations.CreateModel(
                    name='StockLedgerEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('receive', 'Receive'), ('administer', 'Administer'), ('waste', 'Waste'), ('return', 'Return'), ('transfer_out', 'Transfer out'), ('transfer_in', 'Transfer in'), ('adjust', 'Adjust')], max_length=16, verbose_name='kind')),
                        ('quantity', models.IntegerField(help_text='Positive adds doses, negative removes them.', verbose_name='doses')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='when')),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('idempotency_key', models.CharField(blank=True, max_length=100, null=True, unique=True)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('lot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ledger', to='inventory.inventorylot')),
                    ],
                    options={
                        'verbose_name': 'stock ledger entry',
                        'verbose_name_plural': 'stock ledger',
                        'db_table': 'registry_stockledgerentry',
                        'ordering': ['at', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['receive', 'transfer_in']), ('quantity__gt', 0)), models.Q(('kind__in', ['administer', 'return', 'transfer_out', 'waste']), ('quantity__lt', 0)), models.Q(('kind', 'adjust'), models.Q(('quantity', 0), _negated=True)), _connector='OR'), name='ledger_sign_matches_kind')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='inventorylot',
                    constraint=models.CheckConstraint(condition=models.Q(('on_hand__gte', 0)), name='lot_on_hand_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='inventorylot',
                    constraint=models.UniqueConstraint(fields=('location', 'product', 'lot_number'), name='lot_unique_per_location'),
                ),
        ]),
        move_content_types("inventory", ["vaccineproduct", "inventorylot", "stockledgerentry"]),
    ]
