"""Recipients models move here from the registry app, tables and all (see cvms.registry)."""

import cvms.core.validators
import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from cvms.registry.moves import move_content_types
from django.db import migrations, models


TASKS = ["send_welcome_emails", "requeue_welcome_emails"]


def _rename_waiting_tasks(old: str, new: str):
    """Tasks recorded in the outbox and not published yet carry the name of the module that
    defined them: they follow the tasks to their new module."""

    def rename(apps, schema_editor):
        outbox = apps.get_model("core", "OutboxMessage").objects.using(schema_editor.connection.alias)
        for task in TASKS:
            outbox.filter(task=f"{old}.{task}", sent_at__isnull=True).update(task=f"{new}.{task}")

    return rename


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
                    name='Recipient',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('address_line1', models.CharField(blank=True, max_length=200, verbose_name='street address')),
                        ('address_line2', models.CharField(blank=True, max_length=200, verbose_name='address line 2')),
                        ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                        ('state', models.CharField(blank=True, max_length=2, verbose_name='state')),
                        ('zip_code', models.CharField(blank=True, max_length=10, verbose_name='ZIP code')),
                        ('first_name', models.CharField(max_length=100, verbose_name='legal first name')),
                        ('last_name', models.CharField(max_length=100, verbose_name='legal last name')),
                        ('date_of_birth', models.DateField(verbose_name='date of birth')),
                        ('email', models.EmailField(blank=True, max_length=254, validators=[cvms.core.validators.validate_mail_address], verbose_name='email')),
                        ('phone', models.CharField(blank=True, help_text='Digits only, e.g. 9195555555.', max_length=15, verbose_name='phone')),
                        ('sex', models.CharField(choices=[('F', 'Female'), ('M', 'Male'), ('U', 'Unknown or not reported')], default='U', max_length=1, verbose_name='sex')),
                        ('race', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('1002-5', 'American Indian or Alaska Native'), ('2028-9', 'Asian'), ('2054-5', 'Black or African American'), ('2076-8', 'Native Hawaiian or Other Pacific Islander'), ('2106-3', 'White'), ('2131-1', 'Other race'), ('UNK', 'Unknown'), ('POL', 'Prefer not to say')], max_length=6), blank=True, default=list, size=6, verbose_name='race')),
                        ('ethnicity', models.CharField(choices=[('2135-2', 'Hispanic or Latino'), ('2186-5', 'Not Hispanic or Latino'), ('UNK', 'Unknown'), ('POL', 'Prefer not to say')], default='UNK', max_length=6, verbose_name='ethnicity')),
                        ('preferred_language', models.CharField(choices=[('en', 'English'), ('es', 'Spanish')], default='en', max_length=5, verbose_name='preferred language')),
                        ('county', models.CharField(blank=True, max_length=100, verbose_name='county')),
                        ('industry', models.CharField(blank=True, choices=[('healthcare', 'Health care'), ('long_term_care', 'Long-term care'), ('education', 'Education and child care'), ('emergency', 'Emergency services and law enforcement'), ('food', 'Food and agriculture'), ('manufacturing', 'Manufacturing'), ('retail', 'Retail and grocery'), ('transportation', 'Transportation and logistics'), ('government', 'Government and public services'), ('other', 'Other')], max_length=32, verbose_name='industry')),
                        ('source', models.CharField(choices=[('bulk_upload', 'Bulk upload'), ('self_registration', 'Self-registration'), ('walk_in', 'Walk-in'), ('organization_upload', 'Organization upload'), ('helpdesk', 'Help desk')], max_length=32, verbose_name='how the record arrived')),
                        ('portal_username', models.CharField(blank=True, help_text='The email followed by the portal suffix, numbered when several recipients share an email.', max_length=300, null=True, verbose_name='portal username')),
                        ('welcome_email_status', models.CharField(choices=[('not_sent', 'Not sent'), ('pending', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='not_sent', max_length=10, verbose_name='welcome email')),
                        ('welcome_email_sent_at', models.DateTimeField(blank=True, null=True, verbose_name='welcome email sent')),
                        ('welcome_email_failure', models.JSONField(blank=True, null=True, verbose_name='welcome email failure')),
                        ('welcome_email_claimed_at', models.DateTimeField(blank=True, help_text='When a sender took the email (sending), or when it was queued again (pending).', null=True, verbose_name='welcome email taken')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('employer', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='employees', to='organizations.organization', verbose_name='employer')),
                        ('source_location', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='loaded_recipients', to='organizations.location')),
                        ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='recipient', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'recipient',
                        'verbose_name_plural': 'recipients',
                        'db_table': 'registry_recipient',
                        'ordering': ['last_name', 'first_name'],
                        'indexes': [django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper(django.db.models.functions.text.Concat('first_name', models.Value(' '), 'last_name')), name='gin_trgm_ops'), name='recipient_name_trgm'), models.Index(fields=['source_location', 'last_name', 'id'], name='recipient_loc_last_idx'), models.Index(fields=['source_location', 'first_name', 'id'], name='recipient_loc_first_idx'), models.Index(fields=['source_location', 'date_of_birth', 'id'], name='recipient_loc_dob_idx'), models.Index(fields=['source_location', 'email', 'id'], name='recipient_loc_email_idx'), models.Index(condition=models.Q(('welcome_email_status__in', ['pending', 'sending'])), fields=['welcome_email_status', 'created_at'], name='recipient_welcome_waiting_idx'), models.Index(condition=models.Q(('employer__isnull', False)), fields=['employer', 'last_name', 'id'], name='recipient_employer_last_idx'), models.Index(condition=models.Q(('county', ''), _negated=True), fields=['county'], name='recipient_county_idx')],
                        'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('first_name'), django.db.models.functions.text.Lower('last_name'), models.F('date_of_birth'), name='recipient_same_person_unique'), models.UniqueConstraint(condition=models.Q(('portal_username__isnull', False)), fields=('portal_username',), name='recipient_username_unique', opclasses=['varchar_pattern_ops']), models.CheckConstraint(condition=models.Q(('phone__regex', '^[0-9]*$')), name='recipient_phone_digits'), models.CheckConstraint(condition=models.Q(models.Q(('first_name', ''), _negated=True), models.Q(('last_name', ''), _negated=True)), name='recipient_names_present')],
                    },
                ),
        ]),
        move_content_types("recipients", ["recipient"]),
        migrations.RunPython(_rename_waiting_tasks("cvms.registry.tasks", "cvms.recipients.tasks"),
                             _rename_waiting_tasks("cvms.recipients.tasks", "cvms.registry.tasks")),
    ]
