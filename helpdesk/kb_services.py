"""Knowledge base articles: written here (admin and the FAQ loader both call these), rendered safely."""

import html
import json
from pathlib import Path

import nh3
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from cvms.core.audit import audit_log
from helpdesk.kb_models import KnowledgeArticle

#: The FAQ's questions and answers in both languages, loaded by ``load_kb_articles``.
FAQ_FILE = Path(__file__).parent / "data" / "faq.json"
#: What the search marks a matched word with before the snippet is escaped (never kept in an article).
MARK_START, MARK_STOP = "\ue000", "\ue001"
_ARTICLE_FIELDS = ["slug", "audience", "published", "title_en", "body_en", "title_es", "body_es"]
# Markdown as CommonMark without raw HTML: what an author types as a tag is shown as text.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
                 "h2", "h3", "h4", "hr"}


def kb_render(body: str) -> SafeString:
    """An answer as HTML for its page: Markdown, then only safe tags and web or mail links."""
    return mark_safe(nh3.clean(_markdown.render(body), tags=_ALLOWED_TAGS, attributes={"a": {"href"}},  # noqa: S308 (cleaned)
                               url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer"))


def kb_plain_text(body: str) -> str:
    """An answer as the words a reader sees: what is searched and quoted in snippets."""
    text = html.unescape(strip_tags(kb_render(body))).replace(MARK_START, "").replace(MARK_STOP, "")
    return " ".join(text.split())


def kb_article_save(*, article: KnowledgeArticle, actor, changed: list[str]) -> KnowledgeArticle:
    """Create or change an article (admin's form has set its fields); the plain text follows the bodies."""
    adding = article.pk is None
    article.plain_en = kb_plain_text(article.body_en)
    article.plain_es = kb_plain_text(article.body_es)
    if adding:
        article.save()
    else:  # only what this edit changed: two people editing one article keep each other's work
        article.save(update_fields=[*[n for n in changed if n in _ARTICLE_FIELDS], "plain_en", "plain_es",
                                    "updated_at"])
    audit_log(actor=actor, action=f"helpdesk.kb_article.{'created' if adding else 'changed'}", obj=article,
              changes={name: getattr(article, name) for name in changed if name in _ARTICLE_FIELDS})
    return article


def kb_articles_load(*, path: Path = FAQ_FILE, actor=None) -> tuple[int, int]:
    """Add the FAQ's articles that are missing (published); those already there, perhaps edited in
    admin since, are kept as they are. Returns (added, kept): running it again adds nothing."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    existing = set(KnowledgeArticle.objects.filter(slug__in=[e["slug"] for e in entries])
                   .values_list("slug", flat=True))
    added = 0
    with transaction.atomic():
        for entry in entries:
            if entry["slug"] in existing:
                continue
            article = KnowledgeArticle(published=True, **{k: entry[k] for k in _ARTICLE_FIELDS if k in entry})
            article.full_clean(exclude=["search_en", "search_es"])
            kb_article_save(article=article, actor=actor, changed=_ARTICLE_FIELDS)
            added += 1
    return added, len(existing)
