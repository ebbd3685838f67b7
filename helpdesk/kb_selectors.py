"""Finding knowledge base articles: full-text search in the reader's language, ranked, the title
weighing more than the answer; when no word matches (a typo), the titles closest by trigrams."""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Left, Lower
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from helpdesk.kb_models import KB_CONFIGS, KbUnaccent, KnowledgeArticle
from helpdesk.kb_services import MARK_START, MARK_STOP

#: Longest query searched: a pasted description is cut here (its start says what it is about).
QUERY_MAX = 200
#: How close a title must be to a query that matched no word for the fallback to offer it.
TRIGRAM_MIN = 0.4
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class KbHit:
    slug: str
    title: str
    snippet: str  # plain text, the matched words unmarked


def kb_query_clean(raw: str | None) -> str:
    """What is searched: printable characters only (a NUL or control character is a space), words
    joined by single spaces, at most ``QUERY_MAX`` characters."""
    text = "".join(c if c.isprintable() else " " for c in (raw or "")[: QUERY_MAX * 4])
    text = text.replace(MARK_START, " ").replace(MARK_STOP, " ")
    return " ".join(text.split())[:QUERY_MAX].strip()


def _lang(lang: str) -> str:
    return "es" if (lang or "").startswith("es") else "en"


def _any_word(query: str) -> str:
    """The query's words as alternatives (web search syntax): a problem described in a person's own
    words rarely uses every word of its answer."""
    return " or ".join(w for w in re.findall(r"\w+", query) if w.lower() != "or")


def kb_search(*, query: str, lang: str, audience: str | None = None, every_word_first: bool = True) -> QuerySet:
    """Published articles matching ``query`` (already cleaned), best first, each annotated with
    ``kb_title`` and ``kb_snippet`` (the matched words between ``MARK_START`` and ``MARK_STOP``).

    Articles with every word (web search syntax: quotes, ``or``, ``-``) come first when there are any
    and ``every_word_first``; else those with any word, ranked; else, for a typo, the closest titles."""
    lang = _lang(lang)
    articles = KnowledgeArticle.objects.published().for_audience(audience).annotate(kb_title=F(f"title_{lang}"))
    if not query:
        return articles.none()
    for text in ([query] if every_word_first else []) + [_any_word(query)]:
        found = _matching(articles, text, lang)
        if text and found.exists():
            return found
    return _closest_titles(articles, query, lang)


def _matching(articles: QuerySet, text: str, lang: str) -> QuerySet:
    config = KB_CONFIGS[lang]
    search = SearchQuery(text, config=config, search_type="websearch")
    return (articles.filter(**{f"search_{lang}": search})
            .annotate(rank=SearchRank(F(f"search_{lang}"), search),
                      kb_snippet=SearchHeadline(f"plain_{lang}", search, config=config, start_sel=MARK_START,
                                                stop_sel=MARK_STOP, max_words=35, min_words=15,
                                                max_fragments=2, fragment_delimiter=" … "))
            .order_by("-rank", "kb_title", "pk"))


def _closest_titles(articles: QuerySet, query: str, lang: str) -> QuerySet:
    words = " ".join(re.findall(r"\w+", query))
    if not re.search(r"\w{3}", words):  # nothing a trigram could recognise
        return articles.none()
    title_key = KbUnaccent(Lower(f"title_{lang}"))
    # A few hundred titles at most: compared one by one, more forgiving than pg_trgm's index threshold.
    return (articles.annotate(rank=TrigramWordSimilarity(KbUnaccent(Lower(Value(words))), title_key),
                                       kb_snippet=Left(f"plain_{lang}", SNIPPET_CHARS))
            .filter(rank__gte=TRIGRAM_MIN)
            .order_by("-rank", "kb_title", "pk"))


def kb_snippet_html(snippet: str) -> SafeString:
    """A snippet escaped, its matched words in ``<mark>``."""
    return mark_safe(escape(snippet).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))  # noqa: S308


def kb_suggest(*, query: str, lang: str, audience: str | None = None, limit: int = 5) -> list[KbHit]:
    return [KbHit(slug=a.slug, title=a.kb_title, snippet=a.kb_snippet.replace(MARK_START, "").replace(MARK_STOP, ""))
            for a in kb_search(query=query, lang=lang, audience=audience, every_word_first=False)[:limit]]
