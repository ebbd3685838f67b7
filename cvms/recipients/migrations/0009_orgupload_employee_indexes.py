"""An employer's employee list sorted by date added or registration, built without locking the recipients."""

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
            index=models.Index(condition=models.Q(('employer__isnull', False)), fields=['employer', 'created_at', 'id'], name='recipient_employer_added_idx'),
        ),
        AddIndexConcurrently(
            model_name='recipient',
            index=models.Index(condition=models.Q(('employer__isnull', False)), fields=['employer', 'registered_at', 'id'], name='recipient_employer_reg_idx'),
        ),
    ]
