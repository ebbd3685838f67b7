"""State staff and help desk agents write the knowledge base in admin: the staff groups that exist
already get the permissions (``membership_grant`` gives them to new ones)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["State staff", "Help desk agents"]
CODENAMES = ["view_knowledgearticle", "add_knowledgearticle", "change_knowledgearticle"]


def grant(apps, schema_editor):
    config = apps.get_app_config("helpdesk")
    config.models_module = True  # the permissions are otherwise made only after every migration has run
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = None
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="helpdesk", codename__in=CODENAMES)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0001_hdkb_articles"),
        ("accounts", "0010_staff_see_failed_upload_rows"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
