"""Reminders that beat sends: the day before each booked appointment, and "your next dose is
due" once a recipient's last dose's interval has passed with no dose since and no appointment booked
for the next one. Each is claimed before it is sent (``Appointment.reminder_sent_at``; a
``DoseReminder`` row, one per recipient and dose), so a retried or doubled run never sends it twice;
a run claims at most ``CVMS_REMINDER_BATCH`` and queues the next run while more are waiting. Only
recipients the program reaches on its own get them (by email or text, ``cvms.recipients.reach``), in
their own language."""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, DoseReminder, Slot
from cvms.appointments.notices import REMINDER, Notice, appointment_context, appointment_text, deliver_each
from cvms.core import links
from cvms.core.mail import build_email
from cvms.core.outbox import outbox_enqueue
from cvms.core.sms import sms_render
from cvms.immunizations.choices import ImmunizationStatus
from cvms.immunizations.models import Immunization
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.recipients.models import Recipient
from cvms.recipients.reach import REACHABLE_PARAMS, REACHABLE_SQL

log = logging.getLogger(__name__)


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)


_CLAIM_DAY_BEFORE = """
WITH picked AS MATERIALIZED (
    SELECT a.id FROM {appointment} a JOIN {slot} s ON s.id = a.slot_id JOIN {recipient} r ON r.id = a.recipient_id
    WHERE a.status = %(booked)s AND a.reminder_sent_at IS NULL AND s.starts_at >= %(start)s AND s.starts_at < %(end)s
      AND {reachable}
    ORDER BY a.id LIMIT %(batch)s FOR UPDATE OF a SKIP LOCKED
)
UPDATE {appointment} SET reminder_sent_at = %(now)s FROM picked
WHERE {appointment}.id = picked.id AND {appointment}.reminder_sent_at IS NULL
RETURNING {appointment}.id
"""


def _claim_day_before(*, day: datetime.date, batch: int) -> list[int]:
    """Mark up to ``batch`` of ``day``'s booked appointments not reminded yet as this run's, and
    return exactly those this statement marked: rows another run holds are skipped, and one it has
    marked no longer matches."""
    start, end = _day_bounds(day)
    sql = _CLAIM_DAY_BEFORE.format(appointment=Appointment._meta.db_table, slot=Slot._meta.db_table,
                                   recipient=Recipient._meta.db_table, reachable=REACHABLE_SQL)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"now": timezone.now(), "booked": c.AppointmentStatus.BOOKED, "start": start, "end": end,
                             "batch": batch, **REACHABLE_PARAMS})
        return [row[0] for row in cursor.fetchall()]


def day_before_reminders_send(*, batch: int | None = None) -> int:
    """Send the reminder of each booked appointment of tomorrow (local time) not reminded yet, one
    batch; returns the number sent."""
    from cvms.appointments.tasks import send_day_before_reminders

    batch = batch or settings.CVMS_REMINDER_BATCH
    ids = _claim_day_before(day=timezone.localdate() + datetime.timedelta(days=1), batch=batch)
    appointments = list(Appointment.objects.filter(pk__in=ids)
                        .select_related("recipient", "location", "slot__schedule__product"))
    sent, failed = [], {}
    try:
        deliver_each({a.pk: Notice(a.recipient, (lambda a=a: _day_before_message(a)),
                                   (lambda a=a: appointment_text(a, REMINDER))) for a in appointments},
                     sent=sent, failed=failed)
    finally:
        unsent = set(ids) - set(sent) - set(failed)
        Appointment.objects.filter(pk__in=unsent).update(reminder_sent_at=None)  # for the retry
    for pk, reason in failed.items():
        log.warning("Appointment %s: the day-before reminder was not sent (%s).", pk, reason)
    if len(ids) == batch:
        outbox_enqueue(task=send_day_before_reminders)
    return len(sent)


def _day_before_message(appointment: Appointment):
    language = appointment.recipient.preferred_language
    with translation.override(language):
        context = appointment_context(appointment)
    return build_email(template_prefix="appointments/email/reminder", context=context,
                       to=[appointment.recipient.email], language=language)


_CLAIM_DOSE_REMINDERS = """
WITH last AS (
    SELECT DISTINCT ON (i.recipient_id) i.recipient_id, i.dose_number, i.administered_on,
           p.min_interval_days, p.series_doses
    FROM {immunization} i JOIN {lot} l ON l.id = i.lot_id JOIN {product} p ON p.id = l.product_id
    WHERE i.status = %(completed)s
    ORDER BY i.recipient_id, i.administered_at DESC, i.id DESC
)
INSERT INTO {reminder} (recipient_id, dose_number, claimed_at, failure)
SELECT last.recipient_id, last.dose_number + 1, %(now)s, ''
FROM last JOIN {recipient} r ON r.id = last.recipient_id
WHERE {reachable}
  AND last.min_interval_days IS NOT NULL AND last.dose_number < LEAST(COALESCE(last.series_doses, 6), 6)
  AND last.administered_on + last.min_interval_days <= %(today)s
  AND NOT EXISTS (SELECT 1 FROM {appointment} a WHERE a.recipient_id = r.id
                  AND a.dose_number = last.dose_number + 1 AND a.status = %(booked)s)
  AND NOT EXISTS (SELECT 1 FROM {reminder} d WHERE d.recipient_id = r.id AND d.dose_number = last.dose_number + 1)
ORDER BY last.recipient_id
LIMIT %(batch)s
ON CONFLICT DO NOTHING
RETURNING id
"""


def _claim_dose_reminders(*, batch: int) -> list[int]:
    """Insert the claim rows of up to ``batch`` recipients whose next dose is due; a row another run
    inserted first is skipped (the unique recipient and dose)."""
    sql = _CLAIM_DOSE_REMINDERS.format(
        immunization=Immunization._meta.db_table, lot=InventoryLot._meta.db_table,
        product=VaccineProduct._meta.db_table, reminder=DoseReminder._meta.db_table,
        recipient=Recipient._meta.db_table, appointment=Appointment._meta.db_table, reachable=REACHABLE_SQL)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"completed": ImmunizationStatus.COMPLETED, "now": timezone.now(),
                             "today": timezone.localdate(), "booked": c.AppointmentStatus.BOOKED, "batch": batch,
                             **REACHABLE_PARAMS})
        return [row[0] for row in cursor.fetchall()]


def dose_reminders_send(*, batch: int | None = None) -> int:
    """Send "your next dose is due" to each recipient due and not reminded of that dose yet, one
    batch; returns the number sent. An address refused for good is recorded on the claim."""
    from cvms.appointments.tasks import send_dose_reminders

    batch = batch or settings.CVMS_REMINDER_BATCH
    ids = _claim_dose_reminders(batch=batch)
    reminders = list(DoseReminder.objects.filter(pk__in=ids).select_related("recipient"))
    last = {dose.recipient_id: dose for dose in (
        Immunization.objects.filter(recipient_id__in=[r.recipient_id for r in reminders],
                                    status=ImmunizationStatus.COMPLETED)
        .select_related("lot__product").order_by("recipient_id", "-administered_at", "-pk").distinct("recipient_id"))}
    sent, failed = [], {}
    try:
        deliver_each({r.pk: Notice(r.recipient, (lambda r=r: _dose_message(r, last[r.recipient_id])),
                                   (lambda r=r: _dose_text(r))) for r in reminders}, sent=sent, failed=failed)
    finally:
        DoseReminder.objects.filter(pk__in=sent).update(sent_at=timezone.now())
        for pk, reason in failed.items():
            DoseReminder.objects.filter(pk=pk).update(failure=reason[:300])
        DoseReminder.objects.filter(pk__in=set(ids) - set(sent) - set(failed)).delete()  # for the retry
    if len(ids) == batch:
        outbox_enqueue(task=send_dose_reminders)
    return len(sent)


def _dose_message(reminder: DoseReminder, last: Immunization):
    recipient = reminder.recipient
    product = last.lot.product
    due = last.administered_on + datetime.timedelta(days=product.min_interval_days or 0)
    with translation.override(recipient.preferred_language):
        context = {"recipient": recipient, "dose_number": reminder.dose_number, "product": product,
                   "last_given": date_format(last.administered_on, "DATE_FORMAT"),
                   "due": date_format(due, "DATE_FORMAT"),
                   "finder_url": links.link_url(links.VACCINE_FINDER),
                   "appointments_url": links.link_url(links.RECIPIENT_APPOINTMENTS)}
    return build_email(template_prefix="appointments/email/dose_due", context=context, to=[recipient.email],
                       language=recipient.preferred_language)


def _dose_text(reminder: DoseReminder) -> str:
    return sms_render("appointments/sms/dose_due.txt",
                      {"dose_number": reminder.dose_number, "url": links.link_url(links.RECIPIENT_APPOINTMENTS)},
                      language=reminder.recipient.preferred_language)
