"""The public "find a vaccine" page: no sign-in, the finder's results, each open time a booking
link. Results are kept a short while per search and language; whole pages for visitors without a
session are answered by ``cvms.core.public_cache`` in front of Django."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from cvms.appointments.finder import finder_search
from cvms.core.public_cache import public_cacheable
from recipient_portal.find_forms import FindVaccineForm


@require_GET
def find(request):
    form = FindVaccineForm(request.GET or None)
    results = None
    if form.is_valid() and not form.cleaned_data["query"].empty:
        results = _results_html(request, form.cleaned_data["query"])
    response = render(request, "recipient_portal/find/find.html", {"form": form, "results": results})
    return public_cacheable(response, seconds=settings.CVMS_PUBLIC_CACHE_SECONDS)


def _results_html(request, query) -> str:
    key = f"finder:{get_language()}:{query.key}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("recipient_portal/find/_results.html",
                                {"query": query, "results": finder_search(query)}, request=request)
        cache.set(key, html, settings.CVMS_PUBLIC_CACHE_SECONDS)
    return html
