"""The SMART Scheduling Links feed: public, cookie-less, cached (``feed.feed_file``), answered 304
when the client already holds it, readable from any origin."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from cvms.appointments import feed
from cvms.core.errors import ServiceError
from cvms.core.public_cache import public_cacheable


@require_GET
def manifest(request):
    return _answer(request, "manifest")


@require_GET
def locations(request):
    return _answer(request, "Location")


@require_GET
def schedules(request):
    return _answer(request, "Schedule")


@require_GET
def slots(request, location_id):
    if not feed.published_locations().filter(pk=location_id).exists():
        raise Http404
    return _answer(request, "Slot", location_id=location_id)


def _answer(request, kind, location_id=None):
    try:
        since = feed.check_since(request.GET.get("_since"))
    except ServiceError as error:
        return JsonResponse({"error": [{"field": error.field, "message": str(error)}]}, status=400)
    built = feed.feed_file(kind, since=since, location_id=location_id)
    response = HttpResponse(built.body, content_type=built.content_type)
    response["ETag"] = built.etag
    response["Last-Modified"] = http_date(built.last_modified.timestamp())
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=settings.CVMS_PUBLIC_CACHE_SECONDS)
    conditional = get_conditional_response(request, etag=built.etag,
                                           last_modified=int(built.last_modified.timestamp()), response=response)
    return public_cacheable(conditional, seconds=settings.CVMS_PUBLIC_CACHE_SECONDS, by_language=False)
