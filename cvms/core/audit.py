"""The one way to write the audit log: ``audit_log(actor=..., action="inventory.lot.received", obj=lot)``."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from cvms.core.models import AuditLog


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def audit_row(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    integration: str = "",
) -> dict[str, Any]:
    """The columns of the audit row ``audit_log`` writes, for a service that writes it in the same
    statement as its change (the stock ledger). ``actor`` is a user; ``integration`` names a system
    actor instead."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor.email
    else:
        actor = None
        label = integration or "system"
    return {
        "actor": actor,
        "actor_label": label,
        "action": action,
        "content_type": ContentType.objects.get_for_model(obj) if obj is not None else None,
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:255] if obj is not None else "",
        "changes": {k: _jsonable(v) for k, v in (changes or {}).items()},
    }


def audit_log(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    integration: str = "",
) -> AuditLog:
    """Record a state change. ``actor`` is a user; ``integration`` names a system actor instead."""
    return AuditLog.objects.create(**audit_row(actor=actor, action=action, obj=obj, changes=changes,
                                               integration=integration))


def diff_fields(instance: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields in ``data`` whose value differs on ``instance``."""
    return {
        name: [_jsonable(getattr(instance, name)), _jsonable(value)]
        for name, value in data.items()
        if getattr(instance, name) != value
    }


def audited_update(obj: models.Model, *, fields: dict[str, Any], actor, action: str) -> dict[str, list[Any]]:
    """Write the ``fields`` whose value differs on ``obj`` (only those columns) and audit them
    as ``action``; returns the changes, ``{}`` when nothing differed."""
    changes = diff_fields(obj, fields)
    if changes:
        for name in changes:
            setattr(obj, name, fields[name])
        obj.save(update_fields=list(changes))
        audit_log(actor=actor, action=action, obj=obj, changes=changes)
    return changes
