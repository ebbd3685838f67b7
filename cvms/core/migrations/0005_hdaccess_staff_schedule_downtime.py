"""State staff schedule downtime notices in admin; help desk agents see them. The staff groups that
exist already get the permissions (``membership_grant`` gives them to new ones)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "State staff": ["view_downtimenotice", "add_downtimenotice", "change_downtimenotice", "delete_downtimenotice"],
    "Help desk agents": ["view_downtimenotice"],
}


def grant(apps, schema_editor):
    config = apps.get_app_config("core")
    config.models_module = True  # the permissions are otherwise made only after every migration has run
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.add(*Permission.objects.filter(content_type__app_label="core",
                                                         codename__in=GRANTS[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_hdaccess_downtime_notices"),
        ("accounts", "0012_hdaccess_temporary_password_requester_role"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
