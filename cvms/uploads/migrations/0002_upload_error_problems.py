import re

from django.db import migrations, models

_LINE = re.compile(r"^[^:]*\d+: ")


def messages_to_problems(apps, schema_editor):
    """Rows that failed before problems were kept as codes keep their message as text."""
    UploadError = apps.get_model("uploads", "UploadError")
    for error in UploadError.objects.iterator():
        error.problems = [["text", {"text": _LINE.sub("", error.message, count=1)}]]
        error.save(update_fields=["problems"])


class Migration(migrations.Migration):

    dependencies = [
        ("uploads", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="uploaderror",
            name="problems",
            field=models.JSONField(default=list, verbose_name="problems"),
        ),
        migrations.RunPython(messages_to_problems, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="uploaderror",
            name="message",
        ),
    ]
