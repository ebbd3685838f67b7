"""An employer's industry, which the employees it uploads carry."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='organization',
            name='industry',
            field=models.CharField(blank=True, choices=[('healthcare', 'Health care'), ('long_term_care', 'Long-term care'), ('education', 'Education and child care'), ('emergency', 'Emergency services and law enforcement'), ('food', 'Food and agriculture'), ('manufacturing', 'Manufacturing'), ('retail', 'Retail and grocery'), ('transportation', 'Transportation and logistics'), ('government', 'Government and public services'), ('other', 'Other')], max_length=32, verbose_name='industry'),
        ),
    ]
