from django.shortcuts import redirect

from cvms.accounts.backends import signin_paused_for
from cvms.accounts.devices import device_cookie_for_response, device_cookie_set
from cvms.accounts.temporary import password_change_required
from cvms.accounts.views import signin_paused


class SignInMiddleware:
    """A sign-in the lockout refused answers with one page in the site's layout, whichever form
    asked (the sign-in page, Django admin, a password change, any later one): the form itself
    only knows it failed. A view that already answered 429 (the API, in JSON) keeps its answer.
    A sign-in that made a session leaves the browser's device cookie (``devices``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        paused = signin_paused_for(request)
        if paused is not None and response.status_code != 429:
            response = signin_paused(request, paused)
        device_cookie = device_cookie_for_response(request)
        if device_cookie is not None:
            device_cookie_set(response, device_cookie)
        return response


#: URL names a person with a temporary password may still open: choosing the permanent one,
#: signing out, and the language switcher.
_WHILE_TEMPORARY = frozenset({"password_permanent", "account_logout", "set_language"})


class PermanentPasswordMiddleware:
    """Someone signed in with an emailed temporary password chooses a permanent one before anything
    else, whichever way they came in (the sign-in page, Django admin): every other page sends them
    to ``password_permanent``. The API and the FHIR API refuse such an account
    themselves (``cvms.api.authentication``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not password_change_required(getattr(request, "user", None)):
            return None
        match = request.resolver_match
        if match is None or match.url_name in _WHILE_TEMPORARY or match.namespaces[:1] in (["api"], ["fhir"]):
            return None
        return redirect("password_permanent")
