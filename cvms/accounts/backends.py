"""The one authentication backend: every ``authenticate()`` (the sign-in page, Django admin, the
API's HTTP Basic, a current password asked before a change, and whatever comes later) passes the
lockout here."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied

from cvms.accounts.devices import device_vouching_for
from cvms.accounts.lockout import SignInPaused, signin_attempt_begin, signin_attempt_failed, signin_attempt_succeeded
from cvms.accounts.logins import normalize_login
from cvms.accounts.models import SignInAttempt, User
from cvms.accounts.temporary import temporary_password_expired
from cvms.core.client_ip import client_ip

#: Where a refused sign-in is noted on the request, for ``SignInMiddleware`` and the API.
PAUSED_ATTRIBUTE = "cvms_signin_paused"
#: Accounts one typed login may name (a family sharing one email); each costs a password check.
_MAX_CANDIDATES = 10


def signin_paused_for(request) -> SignInPaused | None:
    """The pause that refused a sign-in during ``request``, if one did."""
    return getattr(getattr(request, "_request", request), PAUSED_ATTRIBUTE, None)


def current_password_check(*, request, user: User, password: str) -> bool:
    """Whether ``password`` is ``user``'s, checked as a sign-in to that one account: a signed-in
    person asked for their current password (to change it) is counted by the lockout and refused
    while it is paused, like any sign-in. ``check_password`` alone would let a borrowed session
    guess without limit."""
    return authenticate(request, account=user, password=password) == user


class SignInBackend(AuthenticationBackend):
    """Email or username (allauth's backend, for its inactive-account handling and permission
    checks) with logins compared normalized, and the lockout around every password check.

    A typed login names up to ``_MAX_CANDIDATES`` accounts (its username's, then those whose
    email it is); ``account=`` names one directly. The lockout counts the attempt against each
    of them before any password is checked. A paused sign-in raises ``PermissionDenied``:
    ``authenticate()`` then stops, answers None and sends ``user_login_failed``, and the pause is
    noted on the request for the page or the API to explain. Keep this the first backend: one
    listed before it would bypass the lockout."""

    def authenticate(self, request, username=None, password=None, account=None, **credentials):
        typed = username or credentials.get("email") or ""
        if not password or not (typed or account):
            return None
        if account is not None:
            login, candidates = account.username, [account]
        else:
            login = normalize_login(typed).replace("\x00", "")[:SignInAttempt._meta.get_field("login").max_length]
            # A NUL is in no stored login, and PostgreSQL cannot compare it.
            candidates = [] if "\x00" in typed else list(User.objects.for_login(login)[:_MAX_CANDIDATES])
        http_request = getattr(request, "_request", request)
        try:
            attempt = signin_attempt_begin(login=login, accounts=[user.pk for user in candidates],
                                           client_ip=client_ip(http_request) if request else None,
                                           device=device_vouching_for(http_request, candidates))
        except SignInPaused as paused:
            self._mitigate_timing_attack(password)  # a refusal takes as long as a password check
            self._refuse(http_request, paused)
        user = self._first_with_password(candidates, password)
        try:
            if user is not None:
                signin_attempt_succeeded(attempt=attempt, user=user)
                return user
            signin_attempt_failed(attempt=attempt)
        except SignInPaused as paused:
            self._refuse(http_request, paused)
        return None

    def _first_with_password(self, candidates: list[User], password: str) -> User | None:
        for candidate in candidates:
            # An emailed temporary password past its time is a wrong password.
            if self._check_password(candidate, password) and not temporary_password_expired(candidate):
                return candidate
        if not candidates:
            self._mitigate_timing_attack(password)  # as long as a login that names an account
        return None

    @staticmethod
    def _refuse(request, paused: SignInPaused):
        if request is not None:
            setattr(request, PAUSED_ATTRIBUTE, paused)
        raise PermissionDenied from None
