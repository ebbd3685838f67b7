"""Help desk agents and state staff see paused sign-ins in admin and may lift a pause: the staff
groups that exist already get the new permissions (``membership_grant`` gives them to new ones)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["State staff", "Help desk agents"]
CODENAMES = ["view_pausedsignin", "lift_signin_pause"]


def grant(apps, schema_editor):
    config = apps.get_app_config("accounts")
    config.models_module = True  # the permissions are otherwise made only after every migration has run
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = None
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="accounts", content_type__model="pausedsignin", codename__in=CODENAMES)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_signin_per_account_and_device"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
