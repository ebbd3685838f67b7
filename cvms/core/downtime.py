"""Downtime notices (FAQ 5): state staff schedule a maintenance window in admin; the people of the
portals that ask for it (``Portal.downtime_notices``: the Provider Portal) are emailed in advance,
in batches through the outbox and each in their language; every page shows a banner from the
notice's start until the window ends.

The banner reads the notices still to come from the cache (``downtime_banner``), so a page costs
no query; a change to a notice drops the cached list once it commits."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log, diff_fields
from cvms.core.cache import REDIS_DOWN
from cvms.core.errors import ServiceError
from cvms.core.mail import build_email, send_many
from cvms.core.models import DowntimeEmail, DowntimeNotice
from cvms.core.outbox import outbox_enqueue_many
from cvms.core.portals import portals

#: People one email task sends to.
EMAIL_BATCH = 200


def downtime_cache_key() -> str:
    """The cached list belongs to one database's notices (two sites, or two test runs, may share a Redis)."""
    from django.db import connection

    return f"cvms:downtime:upcoming:v1:{connection.settings_dict['NAME']}"

#: How long the cached list is kept at most (a change drops it at once).
_CACHE_SECONDS = 300
DOWNTIME_FIELDS = ("notice_from", "starts_at", "ends_at", "message_en", "message_es")
_TIMES = ("notice_from", "starts_at", "ends_at")


class DowntimeInvalid(ServiceError):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def check_downtime_times(*, notice_from: datetime, starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise DowntimeInvalid(_("The downtime must end after it starts."), field="ends_at")
    if notice_from > starts_at:
        raise DowntimeInvalid(_("Show the banner from the start of the downtime or earlier."), field="notice_from")


def downtime_notice_create(*, actor, **fields) -> DowntimeNotice:
    check_downtime_times(**{name: fields[name] for name in _TIMES})
    with transaction.atomic():
        notice = DowntimeNotice.objects.create(**{name: fields[name] for name in DOWNTIME_FIELDS})
        audit_log(actor=actor, action="core.downtime.scheduled", obj=notice,
                  changes={name: fields[name] for name in DOWNTIME_FIELDS})
        _emails_queue(notice)
        transaction.on_commit(_forget)
    return notice


def downtime_notice_change(*, notice: DowntimeNotice, actor, fields: dict) -> dict:
    """Change a notice; new times email everyone again (what was not sent yet about the old times
    is dropped). Returns the changes."""
    with transaction.atomic():
        notice = DowntimeNotice.objects.select_for_update().get(pk=notice.pk)
        times = {name: fields.get(name, getattr(notice, name)) for name in _TIMES}
        check_downtime_times(**times)
        changes = diff_fields(notice, {name: value for name, value in fields.items() if name in DOWNTIME_FIELDS})
        if not changes:
            return {}
        for name in changes:
            setattr(notice, name, fields[name])
        update = list(changes)
        if set(changes) & set(_TIMES):
            notice.times_version += 1
            update.append("times_version")
        notice.save(update_fields=update)
        audit_log(actor=actor, action="core.downtime.changed", obj=notice, changes=changes)
        if "times_version" in update:
            _emails_queue(notice)
        transaction.on_commit(_forget)
    return changes


def downtime_notice_delete(*, notice: DowntimeNotice, actor) -> None:
    """Cancel a notice: its banner goes, and the emails not sent yet with it."""
    with transaction.atomic():
        audit_log(actor=actor, action="core.downtime.cancelled", obj=notice,
                  changes={"starts_at": notice.starts_at, "ends_at": notice.ends_at})
        notice.delete()
        transaction.on_commit(_forget)


def downtime_audience():
    """The active users of the portals whose people are told of downtime."""
    roles = sorted({role for portal in portals() if portal.downtime_notices for role in portal.roles})
    return (get_user_model().objects.filter(is_active=True, memberships__is_active=True,
                                            memberships__role__in=roles).distinct())


def _emails_queue(notice: DowntimeNotice) -> None:
    from cvms.core.tasks import send_downtime_emails

    DowntimeEmail.objects.filter(notice=notice, sent_at__isnull=True).delete()
    user_ids = list(downtime_audience().order_by("pk").values_list("pk", flat=True))
    DowntimeEmail.objects.bulk_create(
        [DowntimeEmail(notice=notice, user_id=user_id, times_version=notice.times_version) for user_id in user_ids],
        ignore_conflicts=True)
    outbox_enqueue_many(task=send_downtime_emails, calls=[
        ((notice.pk, notice.times_version, user_ids[at:at + EMAIL_BATCH]), {})
        for at in range(0, len(user_ids), EMAIL_BATCH)])


def downtime_emails_send(*, notice_id: int, times_version: int, user_ids: list[int]) -> int:
    """Email the batch about the notice as it still is: nothing for a cancelled notice or for times
    since changed, and nobody twice (rows are claimed under lock and marked sent with the send)."""
    with transaction.atomic():
        rows = list(DowntimeEmail.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("notice", "user")
                    .filter(notice_id=notice_id, times_version=times_version, notice__times_version=times_version,
                            user_id__in=user_ids, sent_at__isnull=True))
        if not rows:
            return 0
        messages = [_email(row) for row in rows]
        DowntimeEmail.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=timezone.now())
        return send_many(messages)


def _email(row: DowntimeEmail):
    language = row.user.preferred_language
    return build_email(template_prefix="core/email/downtime", to=[row.user.email], language=language,
                       context={"notice": row.notice, "message": row.notice.message(language), "user": row.user})


@dataclass(frozen=True)
class Banner:
    starts_at: datetime
    ends_at: datetime
    message: str
    under_way: bool


def downtime_banner(*, language: str, now: datetime | None = None) -> Banner | None:
    """The banner to show now: the notice whose notice period or window holds ``now`` (the one
    starting first), in ``language``."""
    now = now or timezone.now()
    for notice in _upcoming():
        if notice["notice_from"] <= now < notice["ends_at"]:
            message = notice["message_es"] if language == "es" and notice["message_es"] else notice["message_en"]
            return Banner(starts_at=notice["starts_at"], ends_at=notice["ends_at"], message=message,
                          under_way=notice["starts_at"] <= now)
    return None


def _upcoming() -> list[dict]:
    """The notices not over yet, from the cache; read from the database when the cache has none or
    cannot be reached (whatever cache is configured: a page never fails for its banner)."""
    try:
        notices = cache.get(downtime_cache_key())
    except REDIS_DOWN:
        return _upcoming_read()
    if notices is None:
        notices = _upcoming_read()
        with suppress(*REDIS_DOWN):
            cache.set(downtime_cache_key(), notices, _CACHE_SECONDS)
    return notices


def _upcoming_read() -> list[dict]:
    return list(DowntimeNotice.objects.filter(ends_at__gt=timezone.now()).order_by("starts_at")
                .values(*DOWNTIME_FIELDS)[:20])


def _forget() -> None:
    with suppress(*REDIS_DOWN):
        cache.delete(downtime_cache_key())
