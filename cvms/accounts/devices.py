"""Device cookies: a browser a person has signed in from keeps working for them while their
login is paused by someone else's wrong passwords.

Anyone can pause any login with a few wrong passwords, from anywhere. A successful sign-in that
makes a session (the sign-in page, admin, an invitation or welcome link) leaves a signed cookie in
the browser naming the account, bound to its current password. Later sign-ins from that browser
for that account are counted on the browser's own small budget
(``CVMS_SIGNIN_FAILURES_PER_DEVICE``) instead of the account's, so the account-wide pause does not
refuse them, and the owner's own wrong passwords there are still limited. Without the cookie (a
stranger's browser, the API) the usual rules apply. A new password ends every device's standing.
"""

import secrets

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.dispatch import receiver

COOKIE_NAME = "cvms_device"
_SALT = "cvms.accounts.device"
#: A device cookie lasts this long after the last sign-in that renewed it.
DEVICE_DAYS = 180
#: Accounts one browser vouches for (a family's shared computer, a clinic's front desk).
_MAX_ACCOUNTS = 10
_TO_REMEMBER = "_cvms_device_accounts"


def _stamp(user) -> str:
    """Changes when the account's password does (as Django's session hash does)."""
    return user.get_session_auth_hash()[:20]


def _read(request) -> dict | None:
    value = request.COOKIES.get(COOKIE_NAME) if request is not None else None
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_SALT, max_age=DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str) or not isinstance(data.get("a"), dict):
        return None
    return data


def device_vouching_for(request, accounts) -> str:
    """The browser's device (its cookie's nonce) when its cookie vouches for every one of
    ``accounts`` with their current passwords; "" otherwise, or when there are none."""
    data = _read(request)
    if data is None or not accounts:
        return ""
    if all(data["a"].get(str(user.pk)) == _stamp(user) for user in accounts):
        return data["n"]
    return ""


def device_remember(request, user) -> None:
    """``user`` signed in from this browser: its cookie vouches for them from now on (written to
    the response by ``SignInMiddleware``)."""
    setattr(request, _TO_REMEMBER, user)


@receiver(user_logged_in, dispatch_uid="cvms.accounts.devices.on_sign_in")
def _on_sign_in(sender, request, user, **kwargs):
    """Every way in that makes a session calls ``login()``: this browser vouches for the user."""
    if request is not None:
        device_remember(request, user)


def device_cookie_for_response(request) -> str | None:
    """The device cookie to send with this response, if a sign-in asked for one."""
    user = getattr(request, _TO_REMEMBER, None)
    if user is None:
        return None
    data = _read(request) or {"n": secrets.token_hex(16), "a": {}}
    accounts = {key: stamp for key, stamp in data["a"].items() if key != str(user.pk)}
    accounts[str(user.pk)] = _stamp(user)  # the newest last: the oldest go first
    data["a"] = dict(list(accounts.items())[-_MAX_ACCOUNTS:])
    return signing.dumps(data, salt=_SALT, compress=True)


def device_cookie_set(response, value: str) -> None:
    response.set_cookie(COOKIE_NAME, value, max_age=DEVICE_DAYS * 86400, httponly=True,
                        secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
