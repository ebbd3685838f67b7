"""Help desk agents and state staff work cases in admin. The staff groups that exist already get
the permissions (``membership_grant`` gives them to new ones)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CASE_PERMISSIONS = ["view_case", "change_case", "view_casemessage", "view_caseattachment"]
GRANTS = {"State staff": CASE_PERMISSIONS, "Help desk agents": CASE_PERMISSIONS}


def grant(apps, schema_editor):
    config = apps.get_app_config("helpdesk")
    config.models_module = True  # the permissions are otherwise made only after every migration has run
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.add(*Permission.objects.filter(content_type__app_label="helpdesk",
                                                         codename__in=GRANTS[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0003_hdcases_cases"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
