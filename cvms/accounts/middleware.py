from cvms.accounts.backends import signin_paused_for
from cvms.accounts.views import signin_paused


class SignInPausedMiddleware:
    """A sign-in the lockout refused answers with one page in the site's layout, whichever form
    asked (the sign-in page, Django admin, any later one): the form itself only knows it failed.
    A view that already answered 429 (the API, in JSON) keeps its answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        paused = signin_paused_for(request)
        if paused is not None and response.status_code != 429:
            return signin_paused(request, paused)
        return response
