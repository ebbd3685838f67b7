"""The sign-in lockout: one set of counters, in PostgreSQL, for every way in.

``SignInBackend`` (the only authentication backend) calls these around each password check, so the
sign-in page, Django admin, the API's HTTP Basic and anything later that calls ``authenticate()``
share them. Two limits over ``CVMS_SIGNIN_PAUSE_MINUTES``:

* per login (normalized, whether or not an account has it): ``CVMS_SIGNIN_FAILURES_PER_LOGIN``
  failures pause every sign-in with that login;
* per client address: after ``CVMS_SIGNIN_FAILURES_PER_ADDRESS`` failures, only people who have
  signed in from that address before may still try. Everyone else, made-up logins included, is
  paused; a known person's wrong password gets the same answer, so nothing tells whether a login
  exists.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from cvms.accounts.models import SignInAttempt, SignInClient, User
from cvms.core.audit import audit_log

#: An address someone signed in from is remembered this long after their last sign-in there.
KNOWN_CLIENT_DAYS = 180
#: A sign-in from a known address refreshes its date at most this often (API clients sign in on
#: every request).
_KNOWN_CLIENT_REFRESH = timedelta(hours=1)


class SignInPaused(Exception):
    """Sign-in is paused for this login or address until ``until``."""

    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until

    def seconds_left(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds()))

    def minutes_left(self) -> int:
        return math.ceil(self.seconds_left() / 60)


@dataclass
class Attempt:
    """A sign-in under way (see ``signin_attempt_begin``)."""

    row: SignInAttempt
    login_count: int
    address_count: int
    known_client: bool | None  # None: not asked (the address was under its ceiling)


def _window() -> timedelta:
    return timedelta(minutes=settings.CVMS_SIGNIN_PAUSE_MINUTES)


def _counts(*, login: str, client_ip: str | None, since: datetime) -> tuple[int, int]:
    by_login = Q(login=login)
    by_address = Q(client_ip=client_ip) if client_ip else Q(pk__in=[])
    counts = SignInAttempt.objects.filter(by_login | by_address, at__gt=since).aggregate(
        login=Count("pk", filter=by_login), address=Count("pk", filter=by_address))
    return counts["login"], counts["address"]


def _paused_until(attempts, limit: int) -> datetime:
    """When the ``limit``-th newest attempt leaves the window, so fewer than ``limit`` remain."""
    window = _window()
    at = attempts.filter(at__gt=timezone.now() - window).order_by("-at").values_list("at", flat=True)
    nth = at[limit - 1:limit].first()
    return (nth or timezone.now()) + window


def _known_client(*, login: str, client_ip: str) -> bool:
    since = timezone.now() - timedelta(days=KNOWN_CLIENT_DAYS)
    return SignInClient.objects.filter(user__in=User.objects.for_login(login).values("pk")[:10],
                                       client_ip=client_ip, last_seen_at__gte=since).exists()


def signin_attempt_begin(*, login: str, client_ip: str | None) -> Attempt:
    """Count one sign-in for ``login`` (normalized) from ``client_ip`` before its password is
    checked, or raise ``SignInPaused``. The row is committed at once (call this outside a
    transaction) so attempts running side by side see each other: at most the limit of them get
    their password checked in a window, however many arrive at once."""
    row = SignInAttempt.objects.create(login=login, client_ip=client_ip)
    login_count, address_count = _counts(login=login, client_ip=client_ip, since=row.at - _window())
    attempt = Attempt(row=row, login_count=login_count, address_count=address_count, known_client=None)
    if login_count > settings.CVMS_SIGNIN_FAILURES_PER_LOGIN:
        row.delete()  # a refused attempt does not lengthen the pause
        raise SignInPaused(_paused_until(SignInAttempt.objects.filter(login=login),
                                         settings.CVMS_SIGNIN_FAILURES_PER_LOGIN))
    if address_count > settings.CVMS_SIGNIN_FAILURES_PER_ADDRESS:
        attempt.known_client = _known_client(login=login, client_ip=client_ip)
        if not attempt.known_client:
            row.delete()
            raise _address_paused(client_ip)
    return attempt


def _address_paused(client_ip: str) -> SignInPaused:
    return SignInPaused(_paused_until(SignInAttempt.objects.filter(client_ip=client_ip),
                                      settings.CVMS_SIGNIN_FAILURES_PER_ADDRESS))


def signin_attempt_succeeded(*, attempt: Attempt, user: User) -> None:
    """The password was right: the attempt is not a failure, and the address becomes known."""
    attempt.row.delete()
    if attempt.row.client_ip:
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SignInClient._meta.db_table} AS c (user_id, client_ip, last_seen_at) "  # noqa: S608
                "VALUES (%s, %s, %s) ON CONFLICT (user_id, client_ip) DO UPDATE "
                "SET last_seen_at = EXCLUDED.last_seen_at WHERE c.last_seen_at < %s",
                [user.pk, attempt.row.client_ip, now, now - _KNOWN_CLIENT_REFRESH],
            )


def signin_attempt_failed(*, attempt: Attempt) -> None:
    """The password was wrong (the attempt's row stays, counted). Raises ``SignInPaused`` when this
    failure filled a limit (audit-logged once, by the attempt that filled it), or when the address
    is past its ceiling: a known person's wrong password then gets the answer everyone else gets."""
    row = attempt.row
    if attempt.login_count == settings.CVMS_SIGNIN_FAILURES_PER_LOGIN:
        paused = SignInPaused(row.at + _window())
        audit_log(action="accounts.signin.paused", obj=User.objects.for_login(row.login).first(),
                  integration="sign-in lockout",
                  changes={"login": row.login, "client_ip": row.client_ip, "until": paused.until.isoformat()})
        raise paused
    if row.client_ip and attempt.address_count == settings.CVMS_SIGNIN_FAILURES_PER_ADDRESS:
        paused = SignInPaused(row.at + _window())
        audit_log(action="accounts.signin.address_paused", integration="sign-in lockout",
                  changes={"client_ip": row.client_ip, "until": paused.until.isoformat()})
        raise paused
    if attempt.known_client:
        raise _address_paused(row.client_ip)


def signin_failures_clear(*, user: User, actor=None) -> int:
    """Forget the failed sign-ins for ``user``'s logins (after they set a new password)."""
    deleted, _ = SignInAttempt.objects.filter(login__in={user.username, user.email}).delete()
    if deleted:
        audit_log(actor=actor, action="accounts.signin.failures_cleared", obj=user, changes={"failures": deleted})
    return deleted


def signin_records_prune() -> int:
    """Delete attempts older than the window and addresses not used for ``KNOWN_CLIENT_DAYS``."""
    now = timezone.now()
    attempts, _ = SignInAttempt.objects.filter(at__lte=now - _window()).delete()
    clients, _ = SignInClient.objects.filter(last_seen_at__lt=now - timedelta(days=KNOWN_CLIENT_DAYS)).delete()
    return attempts + clients
