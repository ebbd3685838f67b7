"""The sign-in lockout: one set of counters, in PostgreSQL, for every way in.

``SignInBackend`` (the only authentication backend) calls these around each password check, so the
sign-in page, Django admin, the API's HTTP Basic, a "current password" asked before a change,
and anything later that calls ``authenticate()`` share them. Limits over
``CVMS_SIGNIN_PAUSE_MINUTES``:

* per account: ``CVMS_SIGNIN_FAILURES_PER_LOGIN`` failures against an account pause every sign-in
  that could reach it, whichever of its logins was typed (username or email, any spelling); a
  login that names no account is counted as typed;
* per device: a browser whose device cookie vouches for the accounts (``devices``) is counted on
  its own budget, ``CVMS_SIGNIN_FAILURES_PER_DEVICE``, and not refused by the account's pause;
* per client address: after ``CVMS_SIGNIN_FAILURES_PER_ADDRESS`` failures, only people who have
  signed in from that address before may still try. Everyone else, made-up logins included, is
  paused; a known person's wrong password gets the same answer, so nothing tells whether a login
  exists.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.accounts.models import SignInAttempt, SignInClient, User
from cvms.accounts.tokens import api_tokens_revoke_all
from cvms.core.audit import audit_log

#: An address someone signed in from is remembered this long after their last sign-in there.
KNOWN_CLIENT_DAYS = 180
#: A sign-in from a known address refreshes its date at most this often (API clients sign in on
#: every request).
_KNOWN_CLIENT_REFRESH = timedelta(hours=1)


class SignInPaused(Exception):
    """Sign-in is paused for this account, login, device or address until ``until``."""

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
    #: Failures in the window per budget: an account's id, or None for a login naming no account.
    counts: dict[int | None, int]
    limit: int
    address_count: int
    known_client: bool | None  # None: not asked (the address was under its ceiling)


def _window() -> timedelta:
    return timedelta(minutes=settings.CVMS_SIGNIN_PAUSE_MINUTES)


def _budget(*, account: int | None, login: str, device: str) -> Q:
    """The attempts counted on one budget: an account's (or a login's that names none), on one
    device or on none."""
    if account is None:
        return Q(login=login, accounts=[], device="")
    return Q(accounts__contains=[account], device=device)


def _counts(*, row: SignInAttempt, since: datetime) -> tuple[dict[int | None, int], int]:
    budgets = {account: _budget(account=account, login=row.login, device=row.device)
               for account in (row.accounts or [None])}
    by_address = Q(client_ip=row.client_ip, device="") if row.client_ip and not row.device else Q(pk__in=[])
    where = by_address
    for budget in budgets.values():
        where |= budget
    counts = SignInAttempt.objects.filter(where, at__gt=since).aggregate(
        address=Count("pk", filter=by_address),
        **{f"budget_{account}": Count("pk", filter=budget) for account, budget in budgets.items()})
    return {account: counts[f"budget_{account}"] for account in budgets}, counts["address"]


def _paused_until(attempts, limit: int) -> datetime:
    """When the ``limit``-th newest attempt leaves the window, so fewer than ``limit`` remain."""
    window = _window()
    at = attempts.filter(at__gt=timezone.now() - window).order_by("-at").values_list("at", flat=True)
    nth = at[limit - 1:limit].first()
    return (nth or timezone.now()) + window


def _known_client(*, accounts: list[int], client_ip: str) -> bool:
    since = timezone.now() - timedelta(days=KNOWN_CLIENT_DAYS)
    return SignInClient.objects.filter(user__in=accounts, client_ip=client_ip, last_seen_at__gte=since).exists()


def signin_attempt_begin(*, login: str, accounts: list[int], client_ip: str | None, device: str = "") -> Attempt:
    """Count one sign-in for ``login`` (normalized), which checks the passwords of ``accounts``
    (the accounts it names), from ``client_ip`` and the browser's ``device`` when its cookie
    vouches for those accounts, before any password is checked; or raise ``SignInPaused``. The
    row is committed at once (call this outside a transaction) so attempts running side by side
    see each other: at most the limit of them get their password checked in a window, however
    many arrive at once."""
    device = device if accounts else ""
    row = SignInAttempt.objects.create(login=login, accounts=accounts, device=device, client_ip=client_ip)
    counts, address_count = _counts(row=row, since=row.at - _window())
    limit = settings.CVMS_SIGNIN_FAILURES_PER_DEVICE if device else settings.CVMS_SIGNIN_FAILURES_PER_LOGIN
    attempt = Attempt(row=row, counts=counts, limit=limit, address_count=address_count, known_client=None)
    over = [account for account, count in counts.items() if count > limit]
    if over:
        row.delete()  # a refused attempt does not lengthen the pause
        raise SignInPaused(max(_paused_until(SignInAttempt.objects.filter(_budget(account=account, login=login,
                                                                                  device=device)), limit)
                               for account in over))
    if not device and address_count > settings.CVMS_SIGNIN_FAILURES_PER_ADDRESS:
        attempt.known_client = _known_client(accounts=accounts, client_ip=client_ip)
        if not attempt.known_client:
            row.delete()
            raise _address_paused(client_ip)
    return attempt


def _address_paused(client_ip: str) -> SignInPaused:
    return SignInPaused(_paused_until(SignInAttempt.objects.filter(client_ip=client_ip, device=""),
                                      settings.CVMS_SIGNIN_FAILURES_PER_ADDRESS))


def signin_attempt_succeeded(*, attempt: Attempt, user: User) -> None:
    """The password was right: the attempt is not a failure, and the address becomes known. (A
    family member signing in with the shared email had the others' passwords checked first: that
    was their own password each time, no guess at someone else's, so it is not counted.)"""
    row = attempt.row
    row.delete()
    if row.client_ip:
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SignInClient._meta.db_table} AS c (user_id, client_ip, last_seen_at) "  # noqa: S608
                "VALUES (%s, %s, %s) ON CONFLICT (user_id, client_ip) DO UPDATE "
                "SET last_seen_at = EXCLUDED.last_seen_at WHERE c.last_seen_at < %s",
                [user.pk, row.client_ip, now, now - _KNOWN_CLIENT_REFRESH],
            )


def signin_attempt_passed(*, attempt: Attempt) -> None:
    """The attempt guessed nothing (a one-time code proven, or one no longer open to guessing):
    it is not counted, and no address becomes known, since no account signed in."""
    attempt.row.delete()


def signin_attempt_failed(*, attempt: Attempt) -> None:
    """The password was wrong (the attempt's row stays, counted). Raises ``SignInPaused`` when this
    failure filled a budget (audit-logged once per account, by the attempt that filled it), or
    when the address is past its ceiling: a known person's wrong password then gets the answer
    everyone else gets."""
    row = attempt.row
    filled = [account for account, count in attempt.counts.items() if count == attempt.limit]
    if filled:
        paused = SignInPaused(row.at + _window())
        users = User.objects.in_bulk([account for account in filled if account is not None])
        for account in filled:
            audit_log(action="accounts.signin.device_paused" if row.device else "accounts.signin.paused",
                      obj=users.get(account), integration="sign-in lockout",
                      changes={"login": row.login, "client_ip": row.client_ip, "until": paused.until.isoformat()})
        raise paused
    if row.client_ip and not row.device and attempt.address_count == settings.CVMS_SIGNIN_FAILURES_PER_ADDRESS:
        paused = SignInPaused(row.at + _window())
        audit_log(action="accounts.signin.address_paused", integration="sign-in lockout",
                  changes={"client_ip": row.client_ip, "until": paused.until.isoformat()})
        raise paused
    if attempt.known_client:
        raise _address_paused(row.client_ip)


def signin_failures_clear(*, user: User, actor=None, integration: str = "") -> int:
    """Forget the failed sign-ins counted against ``user`` (every device's too) and against their
    logins typed before the account had them: after a new password, or when staff lift a pause.
    An attempt that also checked other accounts (a family's shared email) stays counted for them."""
    mine = Q(accounts__contains=[user.pk])
    with transaction.atomic():
        alone, _ = SignInAttempt.objects.filter(mine, accounts__len=1).delete()
        shared = SignInAttempt.objects.filter(mine).update(
            accounts=Func(F("accounts"), Value(user.pk), function="array_remove"))
        typed, _ = SignInAttempt.objects.filter(login__in={user.username, user.email}, accounts=[]).delete()
        cleared = alone + shared + typed
        if cleared:
            audit_log(actor=actor, integration=integration, action="accounts.signin.failures_cleared", obj=user,
                      changes={"failures": cleared})
    return cleared


class NewPasswordLiftsPause:
    """Listed in ``AUTH_PASSWORD_VALIDATORS`` for Django's ``password_changed`` hook, which
    ``User.save()`` calls whenever it stores a new password, whichever way it was set: allauth's
    reset and change, admin's forms, an invitation or welcome link, ``changepassword`` and any
    later path. A new password lifts a pause on the account (``signin_failures_clear``) and ends
    the account's API tokens, which the old password issued, and it is no longer an emailed
    temporary password (``temporary.temporary_mark_end``); it checks nothing."""

    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return _("A new password also lifts a pause on signing in after too many failed attempts.")

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            signin_failures_clear(user=user, integration="new password")
            api_tokens_revoke_all(user=user, integration="new password")
            from cvms.accounts.temporary import temporary_mark_end

            temporary_mark_end(user)


class _ArrayOf(Func):
    """``ARRAY[id]``: one account's id as ``accounts @>`` compares it."""

    template = "ARRAY[%(expressions)s]::bigint[]"
    output_field = ArrayField(BigIntegerField())


def signin_paused_accounts():
    """The accounts paused now (failures in the window, not on a device, at the limit or over),
    annotated with ``failures`` and ``paused_until``."""
    limit, since = settings.CVMS_SIGNIN_FAILURES_PER_LOGIN, timezone.now() - _window()
    paused = RawSQL(f"SELECT account FROM {SignInAttempt._meta.db_table}, unnest(accounts) AS account "  # noqa: S608, S611
                    "WHERE at > %s AND device = '' GROUP BY account HAVING count(*) >= %s", [since, limit])
    theirs = SignInAttempt.objects.filter(accounts__contains=_ArrayOf(OuterRef("pk")), device="", at__gt=since)
    return User.objects.filter(pk__in=paused).annotate(
        failures=Subquery(theirs.order_by().annotate(n=Func("pk", function="count")).values("n")),
        paused_until=ExpressionWrapper(Subquery(theirs.order_by("-at").values("at")[limit - 1:limit]) + _window(),
                                       output_field=DateTimeField()))


def signin_records_prune() -> int:
    """Delete attempts older than the window and addresses not used for ``KNOWN_CLIENT_DAYS``."""
    now = timezone.now()
    attempts, _ = SignInAttempt.objects.filter(at__lte=now - _window()).delete()
    clients, _ = SignInClient.objects.filter(last_seen_at__lt=now - timedelta(days=KNOWN_CLIENT_DAYS)).delete()
    return attempts + clients
