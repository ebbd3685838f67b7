"""Knowledge base articles: questions answered in English and Spanish, searched by everyone.

Each language has its own full-text vector, kept by PostgreSQL itself (a generated column over the
``kb_english`` and ``kb_spanish`` search configurations, which drop accents before stemming: see
migration ``0001_hdkb_articles``), the title weighted over the body, with a GIN index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Func
from django.utils.translation import gettext_lazy as _

__all__ = ["KB_CONFIGS", "Audience", "KbUnaccent", "KnowledgeArticle", "KnowledgeArticleQuerySet"]

#: The search configuration of each language the articles are written in.
KB_CONFIGS = {"en": "kb_english", "es": "kb_spanish"}


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    PROVIDER = "provider", _("Vaccine providers")
    RECIPIENT = "recipient", _("Vaccine recipients")
    ORGANIZATION = "organization", _("Organizations")


class KbUnaccent(Func):
    """``kb_unaccent(text)``: the text without accents (``unaccent`` named in full, so immutable)."""

    function = "kb_unaccent"
    output_field = models.CharField()


def _vector(lang: str) -> SearchVector:
    config = KB_CONFIGS[lang]
    return (SearchVector(f"title_{lang}", config=config, weight="A")
            + SearchVector(f"plain_{lang}", config=config, weight="B"))


class KnowledgeArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def for_audience(self, audience: str | None):
        """Articles for an audience include those for everyone; no audience means all of them."""
        if not audience:
            return self
        return self.filter(audience__in=[audience, Audience.EVERYONE])


class KnowledgeArticle(models.Model):
    slug = models.SlugField(_("address"), max_length=80, unique=True,
                            help_text=_("The article's address: lower-case letters, digits and hyphens."))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    published = models.BooleanField(_("published"), default=False,
                                    help_text=_("Only published articles are searched and shown."))
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_en = models.CharField(_("answer (English)"), max_length=10000,
                               help_text=_("Plain text or Markdown: lists, bold, links. HTML is not kept."))
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    body_es = models.CharField(_("answer (Spanish)"), max_length=10000,
                               help_text=_("Plain text or Markdown: lists, bold, links. HTML is not kept."))
    # The answers as plain text (what is searched and quoted), written by the service from the bodies.
    plain_en = models.CharField(max_length=10000, editable=False, default="")
    plain_es = models.CharField(max_length=10000, editable=False, default="")
    search_en = models.GeneratedField(expression=_vector("en"), output_field=SearchVectorField(), db_persist=True)
    search_es = models.GeneratedField(expression=_vector("es"), output_field=SearchVectorField(), db_persist=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = KnowledgeArticleQuerySet.as_manager()

    class Meta:
        app_label = "helpdesk"
        verbose_name = _("knowledge base article")
        verbose_name_plural = _("knowledge base articles")
        ordering = ["title_en"]
        indexes = [
            GinIndex(fields=["search_en"], name="kb_article_search_en_idx"),
            GinIndex(fields=["search_es"], name="kb_article_search_es_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title_en="") & ~models.Q(title_es=""),
                                   name="kb_article_titles_not_empty"),
            models.CheckConstraint(condition=models.Q(audience__in=Audience.values), name="kb_article_audience_known"),
        ]

    def __str__(self):
        return self.title_en

    def title(self, lang: str) -> str:
        return self.title_es if lang == "es" else self.title_en

    def body(self, lang: str) -> str:
        return self.body_es if lang == "es" else self.body_en
