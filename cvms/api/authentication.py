from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication, SessionAuthentication

from cvms.accounts.backends import signin_paused_for
from cvms.accounts.temporary import password_change_required


class PermanentPasswordRequired:
    """An account still on an emailed temporary password gets nothing from the API, however it
    authenticates: its permanent password is chosen on the sign-in page first (403, saying so)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and password_change_required(result[0]):
            raise exceptions.PermissionDenied(_("Sign in on the website and set a permanent password before "
                                                "using the API."))
        return result


class SignInPausedError(exceptions.APIException):
    status_code = 429
    default_code = "signin_paused"

    def __init__(self, detail: str, wait: int):
        super().__init__(detail)
        self.wait = wait  # DRF's handler sends it as Retry-After


class LockoutBasicAuthentication(PermanentPasswordRequired, BasicAuthentication):
    """HTTP Basic through ``authenticate()``, so the sign-in lockout counts and refuses here as on
    every other way in. A wrong password answers 401, a paused sign-in 429 with ``Retry-After``;
    both say why in JSON."""

    def authenticate_credentials(self, userid, password, request=None):
        user = authenticate(request=request, username=userid, password=password)
        paused = signin_paused_for(request)
        if paused is not None:
            minutes = paused.minutes_left()
            raise SignInPausedError(ngettext(
                "Too many failed sign-in attempts: signing in is paused. Try again in %(minutes)d minute.",
                "Too many failed sign-in attempts: signing in is paused. Try again in %(minutes)d minutes.",
                minutes) % {"minutes": minutes}, wait=paused.seconds_left())
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        return user, None


class ApiTokenAuthentication(PermanentPasswordRequired, TokenAuthentication):
    """``Authorization: Token <token>`` (``POST /api/v1/tokens/``), checked in one query: knox's
    own check also reads every other token of the user on every call to sweep expired ones, which
    ``api_token_issue`` does instead."""

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class ApiSessionAuthentication(PermanentPasswordRequired, SessionAuthentication):
    """A browser's session, as Django REST framework reads it (CSRF checked)."""
