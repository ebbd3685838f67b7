"""The check-in search over every recipient in the state: a name key without accents (the
``unaccent`` extension behind an immutable function, so it can be indexed), and indexes for a name,
a date of birth, an email and a phone. Built without locking the table against writes."""

import django.contrib.postgres.indexes
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently, UnaccentExtension
from django.db import migrations, models

import cvms.recipients.models

# unaccent() takes its dictionary from the search path, so it is only "stable"; named in full it
# gives the same answer for the same text, which is what an index needs.
NAME_KEY = r"""
CREATE OR REPLACE FUNCTION recipient_name_key(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT translate(lower(public.unaccent('public.unaccent'::regdictionary, $1)), '-''’.', ' ') $$
"""


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('recipients', '0003_welcome_link_requested_at'),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunSQL(NAME_KEY, "DROP FUNCTION IF EXISTS recipient_name_key(text)"),
        AddIndexConcurrently(
            model_name='recipient',
            index=models.Index(django.db.models.functions.comparison.Collate(cvms.recipients.models.NameKey('last_name'), 'C'), django.db.models.functions.comparison.Collate(cvms.recipients.models.NameKey('first_name'), 'C'), models.F('date_of_birth'), name='recipient_name_key_idx'),
        ),
        AddIndexConcurrently(
            model_name='recipient',
            index=models.Index(fields=['date_of_birth'], name='recipient_dob_idx'),
        ),
        AddIndexConcurrently(
            model_name='recipient',
            index=models.Index(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Lower('email'), name='text_pattern_ops'), name='recipient_email_idx'),
        ),
        AddIndexConcurrently(
            model_name='recipient',
            index=models.Index(condition=models.Q(('phone', ''), _negated=True), fields=['phone'], name='recipient_phone_idx'),
        ),
    ]
