"""Audit log search: a trigram index and an index of each actor's entries, built without locking the
log against writes."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0002_outbox'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),
        AddIndexConcurrently(
            model_name='auditlog',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper(django.db.models.functions.text.Concat('actor_label', models.Value(' '), 'action', models.Value(' '), 'object_repr', models.Value(' '), 'object_id')), name='gin_trgm_ops'), name='audit_search_trgm'),
        ),
        AddIndexConcurrently(
            model_name='auditlog',
            index=models.Index(fields=['actor_label', '-at'], name='audit_actor_idx'),
        ),
    ]
