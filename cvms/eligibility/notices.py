"""The "your vaccine group is open" notice: sent once a group opens, to each recipient whose group
it is whom the program reaches on its own (by email or text, ``cvms.recipients.reach``), in their
language. Each is claimed first (a ``GroupOpenedEmail`` row, one per group and recipient, ever), so
a retried or doubled run, or a group closed and opened again, never notifies anyone twice; a run
claims at most ``CVMS_GROUP_EMAIL_BATCH`` and queues the next while more are waiting."""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from cvms.appointments.notices import Notice, deliver_each
from cvms.core import links
from cvms.core.mail import build_email
from cvms.core.outbox import outbox_enqueue
from cvms.core.sms import sms_render
from cvms.eligibility.models import EligibilityAnswers, GroupOpenedEmail, VaccineGroup
from cvms.recipients.models import Recipient
from cvms.recipients.reach import REACHABLE_PARAMS, REACHABLE_SQL

log = logging.getLogger(__name__)

_CLAIM = """
INSERT INTO {claim} (group_id, recipient_id, claimed_at, failure)
SELECT a.group_id, a.recipient_id, %(now)s, ''
FROM {answers} a JOIN {recipient} r ON r.id = a.recipient_id JOIN {group} g ON g.id = a.group_id
WHERE a.group_id = %(group)s AND g.is_open AND {reachable}
  AND NOT EXISTS (SELECT 1 FROM {claim} c WHERE c.group_id = a.group_id AND c.recipient_id = a.recipient_id)
ORDER BY a.recipient_id
LIMIT %(batch)s
ON CONFLICT DO NOTHING
RETURNING id
"""


def _claim(*, group_id: int, batch: int) -> list[int]:
    sql = _CLAIM.format(claim=GroupOpenedEmail._meta.db_table, answers=EligibilityAnswers._meta.db_table,
                        recipient=Recipient._meta.db_table, group=VaccineGroup._meta.db_table,
                        reachable=REACHABLE_SQL)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"now": timezone.now(), "group": group_id, "batch": batch, **REACHABLE_PARAMS})
        return [row[0] for row in cursor.fetchall()]


def group_opened_emails_send(*, group_id: int, batch: int | None = None) -> int:
    """Email one batch of the people of an open group not emailed yet; returns the number sent."""
    from cvms.eligibility.tasks import send_group_opened_emails

    batch = batch or settings.CVMS_GROUP_EMAIL_BATCH
    ids = _claim(group_id=group_id, batch=batch)
    claims = list(GroupOpenedEmail.objects.filter(pk__in=ids).select_related("recipient", "group"))
    sent, failed = [], {}
    try:
        deliver_each({c.pk: Notice(c.recipient, (lambda c=c: _message(c)), (lambda c=c: _text(c))) for c in claims},
                     sent=sent, failed=failed)
    finally:
        GroupOpenedEmail.objects.filter(pk__in=sent).update(sent_at=timezone.now())
        for pk, reason in failed.items():
            GroupOpenedEmail.objects.filter(pk=pk).update(failure=reason[:300])
        GroupOpenedEmail.objects.filter(pk__in=set(ids) - set(sent) - set(failed)).delete()  # for the retry
    for pk, reason in failed.items():
        log.warning("Group email %s was not sent (%s).", pk, reason)
    if len(ids) == batch:
        outbox_enqueue(task=send_group_opened_emails, args=[group_id])
    return len(sent)


def _message(claim: GroupOpenedEmail):
    recipient, language = claim.recipient, claim.recipient.preferred_language
    with translation.override(language):
        context = {"recipient": recipient, "group": claim.group, "group_name": claim.group.name,
                   "group_url": links.link_url(links.RECIPIENT_GROUP),
                   "finder_url": links.link_url(links.VACCINE_FINDER)}
    return build_email(template_prefix="eligibility/email/group_opened", context=context, to=[recipient.email],
                       language=language)


def _text(claim: GroupOpenedEmail) -> str:
    recipient = claim.recipient
    with translation.override(recipient.preferred_language):
        group_name = str(claim.group.name)
    return sms_render("eligibility/sms/group_opened.txt",
                      {"group_name": group_name, "url": links.link_url(links.VACCINE_FINDER)},
                      language=recipient.preferred_language)
