from django.contrib import admin

from cvms.uploads.models import RecipientUpload, UploadError


class UploadErrorInline(admin.TabularInline):
    model = UploadError
    fields = ["line", "message"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


@admin.register(RecipientUpload)
class RecipientUploadAdmin(admin.ModelAdmin):
    """Help desk view of every upload; files load through ``manage.py import_recipients``."""

    list_display = ["created_at", "original_name", "location", "uploaded_by_label", "channel", "status",
                    "total_rows", "created_count", "failed_count"]
    list_filter = ["status", "channel"]
    search_fields = ["original_name", "location__provider_pin", "location__name", "uploaded_by_label"]
    readonly_fields = [f.name for f in RecipientUpload._meta.fields]
    inlines = [UploadErrorInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
