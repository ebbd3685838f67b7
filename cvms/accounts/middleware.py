from cvms.accounts.backends import signin_paused_for
from cvms.accounts.devices import device_cookie_for_response, device_cookie_set
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
