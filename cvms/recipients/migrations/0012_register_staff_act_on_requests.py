"""State staff and help desk agents act on requests about recipient records in admin: they read
and resolve them, and correct the record (state staff could only read it). The staff groups that
exist already get the permissions (``membership_grant`` gives them to new ones)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "State staff": ["view_recipientrequest", "change_recipientrequest", "change_recipient"],
    "Help desk agents": ["view_recipientrequest", "change_recipientrequest"],
}


def grant(apps, schema_editor):
    config = apps.get_app_config("recipients")
    config.models_module = True  # the permissions are otherwise made only after every migration has run
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.add(*Permission.objects.filter(content_type__app_label="recipients",
                                                         codename__in=GRANTS[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("recipients", "0011_register_registration_and_requests"),
        ("accounts", "0010_staff_see_failed_upload_rows"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
