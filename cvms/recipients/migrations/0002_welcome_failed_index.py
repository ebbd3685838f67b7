"""The help desk's list of failed welcome emails, built without locking the recipients against writes."""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('organizations', '0001_initial'),
        ('recipients', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='recipient',
            index=models.Index(condition=models.Q(('welcome_email_status', 'failed')), fields=['-id'], name='recipient_welcome_failed_idx'),
        ),
    ]
