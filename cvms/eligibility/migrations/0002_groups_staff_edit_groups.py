"""State staff edit vaccine groups in admin: the staff group that exists already gets the
permissions (``membership_grant`` gives them to a new one)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_vaccinegroup", "add_vaccinegroup", "change_vaccinegroup", "view_groupcriterion",
             "add_groupcriterion", "change_groupcriterion", "delete_groupcriterion", "view_eligibilityanswers"]


def grant(apps, schema_editor):
    config = apps.get_app_config("eligibility")
    config.models_module = True  # the permissions are otherwise made only after every migration has run
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = None
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="eligibility", codename__in=CODENAMES)
    for group in apps.get_model("auth", "Group").objects.filter(name="State staff"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0001_groups_initial"),
        ("accounts", "0010_staff_see_failed_upload_rows"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
