"""What the migrations that moved the registry's models to the domain apps share: the models'
content types change app in place, so the audit log, the permissions (and the staff groups
holding them) and admin's history keep pointing at them."""

from django.db import migrations


def move_content_types(new_label: str, models: list[str]) -> migrations.RunPython:
    """Relabel the content types of ``models`` (lowercase model names) from ``registry`` to
    ``new_label``, and back when the migration is reversed."""

    def forward(apps, schema_editor):
        _relabel(apps, schema_editor.connection.alias, "registry", new_label, models)

    def backward(apps, schema_editor):
        _relabel(apps, schema_editor.connection.alias, new_label, "registry", models)

    return migrations.RunPython(forward, backward)


def _relabel(apps, db: str, old: str, new: str, models: list[str]) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(db)
    for model in models:
        moving = content_types.filter(app_label=old, model=model).first()
        if moving is None:
            continue
        # A process of the new code may have made the new content type already: what points at
        # it goes to the one that moves (which keeps every older row and permission), and the
        # new one, with its permissions, is deleted.
        taken = content_types.filter(app_label=new, model=model).first()
        if taken is not None:
            for label in ("core.AuditLog", "admin.LogEntry"):
                apps.get_model(label).objects.using(db).filter(content_type=taken).update(content_type=moving)
            taken.delete()
        content_types.filter(pk=moving.pk).update(app_label=new)
