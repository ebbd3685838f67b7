from allauth.account.adapter import get_adapter

# allauth's public consume() exempts GET requests; the API authenticates GETs too. This is the
# same function with ``limit_get`` (allauth is pinned; tests/test_api checks the lockout).
from allauth.core.internal.ratelimit import consume
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication


class LockoutBasicAuthentication(BasicAuthentication):
    """HTTP Basic counted against the sign-in page's failed-login limit (per account, with a high
    per-IP ceiling): an account locked there is locked here, and guesses here lock it there."""

    def authenticate_credentials(self, userid, password, request=None):
        django_request = getattr(request, "_request", request)
        key = get_adapter(django_request)._get_login_attempts_cache_key(django_request, username=userid)
        usage = consume(django_request, app="allauth.account", action="login_failed", key=key, limit_get=True)
        if not usage:
            raise exceptions.AuthenticationFailed(_("Too many failed login attempts. Try again later."))
        user = authenticate(django_request, username=userid, password=password)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        usage.rollback()  # a right password does not use up an attempt
        return user, None
