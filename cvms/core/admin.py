from django.contrib import admin

from cvms.core.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """Admin edits are state changes too: log each save and delete with the changed fields."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = form.changed_data if change else [f for f in form.fields if form.cleaned_data.get(f) not in (None, "")]
        from cvms.core.audit import audit_log

        label = obj._meta.label_lower
        audit_log(
            actor=request.user,
            action=f"admin.{label}.{'changed' if change else 'added'}",
            obj=obj,
            changes={name: form.cleaned_data.get(name) for name in fields},
        )

    def delete_model(self, request, obj):
        from cvms.core.audit import audit_log

        audit_log(actor=request.user, action=f"admin.{obj._meta.label_lower}.deleted", obj=obj)
        super().delete_model(request, obj)
