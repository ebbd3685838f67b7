"""An employer's employee list, sorted by name, date added or registration, indexed without locking the recipients."""

import datetime
import django.db.models.functions.comparison
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('organizations', '0002_orgupload_industry'),
        ('recipients', '0008_registered_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='recipient',
            index=models.Index(condition=models.Q(('employer__isnull', False)), fields=['employer', 'last_name', 'first_name', 'id'], name='recipient_employer_name_idx'),
        ),
        AddIndexConcurrently(
            model_name='recipient',
            index=models.Index(condition=models.Q(('employer__isnull', False)), fields=['employer', 'created_at', 'id'], name='recipient_employer_added_idx'),
        ),
        AddIndexConcurrently(
            model_name='recipient',
            index=models.Index(models.F('employer'), django.db.models.functions.comparison.Coalesce('registered_at', models.Value(datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc), output_field=models.DateTimeField())), models.F('id'), condition=models.Q(('employer__isnull', False)), name='recipient_employer_reg_idx'),
        ),
    ]
