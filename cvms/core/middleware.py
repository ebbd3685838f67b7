"""Responses that may hold personal data stay out of every cache."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class PrivateResponsesMiddleware:
    """Every response to a signed-in person, or to a request carrying an ``Authorization`` header
    (the API's Basic sign-in), says ``Cache-Control: no-store, private``: a recipient list, an
    upload's progress or a failed-records file must not stay in a shared browser's cache or in a
    proxy. ``public`` a view set is dropped. Static files are left to their own long caching.

    Sits after ``AuthenticationMiddleware`` (it reads ``request.user``) and before every
    middleware that may answer on its own, so their answers are covered too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response
