"""Help desk agents and state staff read an upload's failed rows in admin, not only its counts: the
staff groups that exist already get the permission (``membership_grant`` gives it to new ones)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["State staff", "Help desk agents"]


def grant(apps, schema_editor):
    config = apps.get_app_config("uploads")
    config.models_module = True  # the permissions are otherwise made only after every migration has run
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = None
    permission = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="uploads", codename="view_uploaderror")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_staff_see_paused_sign_ins"),
        ("uploads", "0004_point_at_organizations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
