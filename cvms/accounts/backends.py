"""The one authentication backend: every ``authenticate()`` (the sign-in page, Django admin, the
API's HTTP Basic, and whatever comes later) passes the lockout here."""

from allauth.account.auth_backends import AuthenticationBackend
from django.core.exceptions import PermissionDenied

from cvms.accounts.lockout import SignInPaused, signin_attempt_begin, signin_attempt_failed, signin_attempt_succeeded
from cvms.accounts.logins import normalize_login
from cvms.accounts.models import SignInAttempt, User
from cvms.core.client_ip import client_ip

#: Where a refused sign-in is noted on the request, for ``SignInPausedMiddleware`` and the API.
PAUSED_ATTRIBUTE = "cvms_signin_paused"
#: Accounts one typed login may name (a family sharing one email); each costs a password check.
_MAX_CANDIDATES = 10


def signin_paused_for(request) -> SignInPaused | None:
    """The pause that refused a sign-in during ``request``, if one did."""
    return getattr(getattr(request, "_request", request), PAUSED_ATTRIBUTE, None)


class SignInBackend(AuthenticationBackend):
    """Email or username (allauth's backend, for its inactive-account handling and permission
    checks) with logins compared normalized, and the lockout around every password check.

    A paused sign-in raises ``PermissionDenied``: ``authenticate()`` then stops, answers None and
    sends ``user_login_failed``, and the pause is noted on the request for the page or the API to
    explain. Keep this the first backend: one listed before it would bypass the lockout."""

    def authenticate(self, request, username=None, password=None, **credentials):
        typed = username or credentials.get("email") or ""
        if not typed or not password:
            return None
        login = normalize_login(typed).replace("\x00", "")[:SignInAttempt._meta.get_field("login").max_length]
        http_request = getattr(request, "_request", request)
        try:
            attempt = signin_attempt_begin(login=login, client_ip=client_ip(http_request) if request else None)
        except SignInPaused as paused:
            self._mitigate_timing_attack(password)  # a refusal takes as long as a password check
            self._refuse(http_request, paused)
        user = super().authenticate(request, username=typed, password=password)
        try:
            if user is not None:
                signin_attempt_succeeded(attempt=attempt, user=user)
                return user
            signin_attempt_failed(attempt=attempt)
        except SignInPaused as paused:
            self._refuse(http_request, paused)
        return None

    def _authenticate(self, request, username=None, password="", **credentials):
        if "\x00" in username:  # in no stored login, and PostgreSQL cannot compare it
            return None
        for user in User.objects.for_login(username)[:_MAX_CANDIDATES]:
            if self._check_password(user, password):
                return user
        return None

    @staticmethod
    def _refuse(request, paused: SignInPaused):
        if request is not None:
            setattr(request, PAUSED_ATTRIBUTE, paused)
        raise PermissionDenied from None
