"""An employer's upload carries its attestation (FAQ 18); its upload history is indexed."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0002_orgupload_industry'),
        ('uploads', '0004_point_at_organizations'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='recipientupload',
            name='attestation',
            field=models.CharField(blank=True, max_length=500, verbose_name='attestation'),
        ),
        migrations.AddField(
            model_name='recipientupload',
            name='attested_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='attested'),
        ),
        migrations.AddField(
            model_name='recipientupload',
            name='attested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='attested by'),
        ),
        migrations.AddIndex(
            model_name='recipientupload',
            index=models.Index(condition=models.Q(('location__isnull', True)), fields=['organization', '-created_at'], name='upload_employer_recent_idx'),
        ),
        migrations.AddConstraint(
            model_name='recipientupload',
            constraint=models.CheckConstraint(condition=models.Q(('location__isnull', False), models.Q(('attested_at__isnull', False), ('attested_by__isnull', False), models.Q(('attestation', ''), _negated=True)), _connector='OR'), name='upload_employer_attested'),
        ),
    ]
