"""The knowledge base, open to everyone: search, one article, and suggestions while a description is typed."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from cvms.core.client_ip import client_ip
from cvms.core.public_cache import public_cacheable
from helpdesk.kb_forms import KbSearchForm
from helpdesk.kb_models import KnowledgeArticle
from helpdesk.kb_selectors import kb_search, kb_snippet_html, kb_suggest
from helpdesk.kb_services import kb_render

PAGE_SIZE = 10


@require_GET
def kb_search_page(request):
    form = KbSearchForm(request.GET or None)
    query, audience = form.search()
    page = Paginator(kb_search(query=query, lang=get_language(), audience=audience), PAGE_SIZE).get_page(
        request.GET.get("page"))
    for article in page:
        article.snippet_html = kb_snippet_html(article.kb_snippet)
    response = render(request, "helpdesk/kb/search.html", {"form": form, "query": query, "page": page})
    return public_cacheable(response, seconds=settings.CVMS_PUBLIC_CACHE_SECONDS)


@require_GET
def kb_article(request, slug):
    article = get_object_or_404(KnowledgeArticle.objects.published(), slug=slug)
    lang = get_language()
    return render(request, "helpdesk/kb/article.html", {
        "article": article, "title": article.title(lang), "body": kb_render(article.body(lang))})


@require_GET
def kb_suggest_json(request):
    """At most five articles for what is being typed, as title, address and plain snippet."""
    if _suggests_too_often(request):
        response = JsonResponse({"error": _("Too many searches. Wait a minute and try again.")}, status=429)
        response["Retry-After"] = "60"
        return response
    form = KbSearchForm(request.GET)
    query, audience = form.search()
    lang = "es" if get_language().startswith("es") else "en"
    key = "kb-suggest:" + hashlib.sha256(f"{lang}\0{audience}\0{query}".encode()).hexdigest()
    results = cache.get(key)
    if results is None:
        results = [{"title": hit.title, "url": reverse("helpdesk:kb_article", args=[hit.slug]), "snippet": hit.snippet}
                   for hit in kb_suggest(query=query, lang=lang, audience=audience)]
        cache.set(key, results, settings.CVMS_KB_SUGGEST_CACHE_SECONDS)
    return JsonResponse({"results": results})


def _suggests_too_often(request) -> bool:
    return is_ratelimited(request, group="helpdesk.kb_suggest", key=lambda _g, r: client_ip(r) or "unknown",
                          increment=True, rate=f"{settings.CVMS_KB_SUGGESTIONS_PER_MINUTE}/m")
