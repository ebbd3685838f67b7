"""The language a person reads the site in.

Django's ``LocaleMiddleware`` reads the language cookie (which the switcher sets), then the
browser's Accept-Language. On top of it, a person's ``preferred_language``:

- signing in, whichever way makes the session (the sign-in page, admin, a welcome or invitation
  link), switches the site to the user's language and keeps it in the cookie;
- a signed-in user whose browser has no language cookie reads their own language;
- a page reached from an email (welcome, invitation, password reset, address confirmation)
  opens in its addressee's language, once per link, so the switcher still overrides it;
- the switcher saves its choice as a signed-in user's language (``language_set`` view).
"""

import hashlib

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

_REMEMBER = "_cvms_language_to_remember"
#: The last emailed link whose addressee's language this browser's session was given.
_LINK_SESSION_KEY = "cvms_language_link"


def language_supported(language: str | None) -> bool:
    return bool(language) and language in dict(settings.LANGUAGES) and translation.check_for_language(language)


def language_chosen(request) -> str | None:
    """The language this browser holds in its cookie (the switcher's, a sign-in's or a link's)."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language_supported(language) else None


def language_apply(request, language: str) -> None:
    """Serve the rest of this request in ``language`` and keep it in the language cookie."""
    if not language_supported(language):
        return
    setattr(request, _REMEMBER, language)
    if hasattr(request, "LANGUAGE_CODE"):  # a request being served (not a test's bare force_login)
        _serve_in(request, language)


def _serve_in(request, language: str) -> None:
    translation.activate(language)
    request.LANGUAGE_CODE = language


def language_from_link(request, *, link: str, language: str | None) -> None:
    """A page opened from an email: its addressee's ``language``, the first time this browser
    opens ``link`` (a token); afterwards the language the person chose on the page stays.
    ``None`` (the addressee's language is not known) leaves the browser's."""
    if request.method != "GET" or not language_supported(language):
        return
    digest = hashlib.sha256(link.encode()).hexdigest()[:32]
    if request.session.get(_LINK_SESSION_KEY) != digest:
        request.session[_LINK_SESSION_KEY] = digest
        language_apply(request, language)


@receiver(user_logged_in, dispatch_uid="cvms.accounts.language.on_sign_in")
def _on_sign_in(sender, request, user, **kwargs):
    """Every way in that makes a session calls ``login()``: apply the user's language there."""
    if request is not None:
        language_apply(request, user.preferred_language)


class PreferredLanguageMiddleware:
    """After ``LocaleMiddleware`` and ``AuthenticationMiddleware``: a signed-in user without a
    language cookie reads their preferred language, and a language applied during the request
    (``language_apply``) is written to the cookie, as the switcher would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and request.user.is_authenticated:
            if language_supported(request.user.preferred_language):
                _serve_in(request, request.user.preferred_language)
        response = self.get_response(request)
        language = getattr(request, _REMEMBER, None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
