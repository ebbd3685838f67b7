"""The help desk's knowledge base in admin, for state staff and agents: each save goes through
``kb_article_save`` (audited); an article is withdrawn by unpublishing it, never deleted."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from helpdesk.kb_models import KnowledgeArticle
from helpdesk.kb_services import kb_article_save, kb_render


class KnowledgeArticleForm(forms.ModelForm):
    class Meta:
        model = KnowledgeArticle
        fields = ["slug", "audience", "published", "title_en", "body_en", "title_es", "body_es"]
        widgets = {"body_en": forms.Textarea(attrs={"rows": 12}), "body_es": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:  # a new article's audience is chosen, never assumed
            self.initial.pop("audience", None)
            self.fields["audience"].initial = None
            self.fields["audience"].choices = [("", "---------"), *KnowledgeArticle._meta.get_field("audience").choices]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    form = KnowledgeArticleForm
    list_display = ["title_en", "audience", "published", "updated_at"]
    list_filter = ["published", "audience"]
    search_fields = ["title_en", "title_es", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    readonly_fields = ["preview_en", "preview_es", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "audience", "published", "updated_at"]}),
        (_("English"), {"fields": ["title_en", "body_en", "preview_en"]}),
        (_("Spanish"), {"fields": ["title_es", "body_es", "preview_es"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # links to an article stay valid: unpublish it instead

    @admin.display(description=_("as shown (English)"))
    def preview_en(self, obj):
        return format_html("<div>{}</div>", kb_render(obj.body_en)) if obj.pk else "—"

    @admin.display(description=_("as shown (Spanish)"))
    def preview_es(self, obj):
        return format_html("<div>{}</div>", kb_render(obj.body_es)) if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        kb_article_save(article=obj, actor=request.user, changed=form.changed_data)
