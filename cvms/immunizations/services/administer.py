"""Doses given: recorded and taken out of stock in one transaction; corrected or marked entered in
error with the stock given back exactly once."""

import datetime
import json
from contextlib import contextmanager, nullcontext
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log, audit_row, audited_update
from cvms.core.errors import ServiceError
from cvms.immunizations import choices as c
from cvms.immunizations.models import CheckIn, Immunization
from cvms.immunizations.roles import ADMINISTER_ROLES
from cvms.immunizations.selectors import (
    dose_warnings,
    next_dose_number,
    recipient_doses,
    recipient_doses_for_rules,
    recipient_histories_for_rules,
)
from cvms.inventory.choices import LedgerKind
from cvms.inventory.models import InventoryLot, StockLedgerEntry
from cvms.inventory.roles import holds_role_at
from cvms.inventory.services.stock import InsufficientStock, stock_record, stock_record_with
from cvms.recipients.choices import WelcomeEmailStatus
from cvms.recipients.models import Recipient
from cvms.reporting.events import CREATED_EVENT_SQL, report_event_add, vxu_submission_queue
from cvms.reporting.models import ReportEventKind

#: A time given this far ahead of the server's clock is a clock's difference, not the future.
CLOCK_SKEW = datetime.timedelta(minutes=5)


class NeedsConfirmation(ServiceError):
    """The dose may be saved, but only once the person recording it has seen ``notes`` (warnings
    about the dose, or flags of a record from a paper form) and confirmed."""

    def __init__(self, notes: list[str], flags: list | None = None):
        super().__init__(" ".join(notes), field="confirm")
        self.notes = notes
        self.flags = flags or []


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def back_entry_flags(*, lot: InventoryLot, administered_at: datetime.datetime,
                     ignoring: StockLedgerEntry | None = None) -> list:
    """Why a dose given at ``administered_at`` does not fit the lot's records of that day, as
    [code, values] pairs (``BACK_ENTRY_FLAGS``): not yet received there, already expired, or no
    doses on hand by the ledger (leaving out ``ignoring``: the dose's own entry, when a record is
    corrected)."""
    day = timezone.localdate(administered_at)
    given_on = day.isoformat()
    flags = []
    received = lot.ledger.order_by("at").values_list("at", flat=True).first() or lot.created_at
    if received > administered_at:
        flags.append(["lot_not_here", {"lot": lot.lot_number, "date": given_on,
                                       "received": timezone.localdate(received).isoformat()}])
    if lot.expiration_date < day:
        flags.append(["expired_then", {"lot": lot.lot_number, "date": given_on,
                                       "expired": lot.expiration_date.isoformat()}])
    elif not flags:
        ledger = lot.ledger.filter(at__lte=administered_at).exclude(pk=ignoring and ignoring.pk)
        on_hand_then = ledger.aggregate(doses=Sum("quantity"))["doses"] or 0
        if on_hand_then <= 0:
            flags.append(["no_stock_then", {"lot": lot.lot_number,
                                            "time": timezone.localtime(administered_at).isoformat(timespec="minutes")}])
    return flags


def _flag_texts(flags: list) -> list[str]:
    return [c.back_entry_flag_text(code, values) for code, values in flags]


def _require_role(user, location, field: str, message: str) -> None:
    if not holds_role_at(user, location, ADMINISTER_ROLES):
        raise ServiceError(message, field=field)


def _check_time(recipient: Recipient, administered_at: datetime.datetime) -> None:
    if administered_at > timezone.now() + CLOCK_SKEW:
        raise ServiceError(_("The time given cannot be in the future."), field="administered_at")
    if timezone.localdate(administered_at) < recipient.date_of_birth:
        raise ServiceError(_("The time given is before the recipient's date of birth (%(born)s).")
                           % {"born": _short(recipient.date_of_birth)}, field="administered_at")


def _check_screening(screening: dict, *, complete: bool) -> dict:
    unknown = set(screening) - set(c.SCREENING_QUESTIONS)
    if unknown:
        raise ServiceError(_("Unknown screening question: %(key)s.") % {"key": sorted(unknown)[0]}, field="screening")
    if any(answer not in c.Answer.values for answer in screening.values()):
        raise ServiceError(_("Answer each screening question yes or no."), field="screening")
    missing = [key for key in c.SCREENING_QUESTIONS if key not in screening]
    if complete and missing:
        raise ServiceError(_("Answer every screening question (missing: %(question)s).")
                           % {"question": c.SCREENING_QUESTIONS[missing[0]]}, field="screening")
    return dict(screening)


def _check_coded(site: str, route: str, dose_volume_ml) -> None:
    if site not in c.Site.values:
        raise ServiceError(_("Choose the site from the list."), field="site")
    if route not in c.Route.values:
        raise ServiceError(_("Choose the route from the list."), field="route")
    if dose_volume_ml is not None and not (Decimal("0") < Decimal(dose_volume_ml) <= Decimal("2")):
        raise ServiceError(_("The dose volume must be more than 0 and at most 2 mL."), field="dose_volume_ml")


@contextmanager
def _one_dose_a_day(recipient: Recipient, given_on: datetime.date):
    """The database's refusal of a second completed dose on the same day, worded (the transaction
    inside has rolled back, stock included)."""
    try:
        yield
    except IntegrityError as exc:
        if "immunization_one_dose_a_day" in str(exc):
            raise ServiceError(_("%(name)s already has a dose recorded on %(date)s.")
                               % {"name": f"{recipient.first_name} {recipient.last_name}", "date": _short(given_on)},
                               field="administered_at") from exc
        raise


def _earlier_record(idempotency_key: str, recipient: Recipient, lot: InventoryLot,
                   among: list[Immunization] | None = None) -> Immunization | None:
    """The record a key already stands for, if the same dose; a key reused for another dose is
    refused. ``among`` (the recipient's completed doses) spares a query: a key used for anything
    else is met by the insert, which the caller answers by asking again without ``among``."""
    if among is not None:
        earlier = next((dose for dose in among if dose.idempotency_key == idempotency_key), None)
    else:
        earlier = Immunization.objects.filter(idempotency_key=idempotency_key).first()
    if earlier is not None and (earlier.recipient_id, earlier.lot_id) != (recipient.pk, lot.pk):
        raise ServiceError(_("This key was already used for another dose."), field="idempotency_key")
    return earlier


#: After the ledger entry (``stock_record_with``), in the same statement: the dose, its audit row,
#: its reporting event and registry submission, the recipient's welcome email made due (a recipient
#: with an email and no portal account; a beat task queues the due ones every minute, in batches) and
#: the check-in closed. One statement is one transaction: a refusal by the database (a second dose
#: that day) leaves no ledger entry either.
_DOSE = """, dose AS (
    INSERT INTO registry_immunization
        (recipient_id, lot_id, location_id, administered_at, administered_on, dose_number, site, route,
         dose_volume_ml, given_by_id, recorded_by_id, source, screening, consent_given, flags, notes, status,
         status_reason, ledger_entry_id, idempotency_key, created_at, updated_at)
    SELECT %(recipient)s, lot.id, %(location)s, %(administered_at)s, %(administered_on)s, %(dose_number)s,
           %(site)s, %(route)s, %(dose_volume_ml)s, %(given_by)s, %(actor)s, %(source)s, %(screening)s::jsonb,
           true, %(flags)s::jsonb, %(notes)s, %(completed)s, '', entry.id, %(dose_key)s, %(at)s, %(at)s
    FROM entry, lot
    RETURNING id
), dose_audit AS (
    INSERT INTO core_auditlog (at, actor_id, actor_label, action, content_type_id, object_id, object_repr, changes)
    SELECT %(at)s, %(actor)s, %(actor_label)s, %(dose_action)s, %(dose_type)s, dose.id::text, %(dose_repr)s,
           %(dose_changes)s::jsonb
    FROM dose
), welcome AS (
    UPDATE registry_recipient SET welcome_email_status = %(due)s
    WHERE id = %(recipient)s AND user_id IS NULL AND email <> '' AND welcome_email_status = %(not_sent)s
      AND EXISTS (SELECT FROM dose)
), closed AS (
    UPDATE immunizations_checkin SET status = %(vaccinated)s, closed_at = %(at)s, immunization_id = dose.id FROM dose
    WHERE immunizations_checkin.id = %(checkin)s AND location_id = %(location)s AND recipient_id = %(recipient)s
      AND status = %(waiting)s
)""" + CREATED_EVENT_SQL  # noqa: S608 (constant text; values are parameters)


def _insert(dose: Immunization, *, actor, checkin: CheckIn | None) -> Immunization:
    """Take the dose out of ``dose.lot`` and save ``dose`` with it, in one statement (a savepoint
    keeps a refusal from spoiling a caller's transaction). A lot with no dose available (emptied
    since the form was shown) is refused on the lot field."""
    audit = audit_row(actor=actor, action="registry.immunization.recorded", obj=dose, changes={
        "recipient": dose.recipient, "lot": dose.lot, "dose_number": dose.dose_number, "source": str(dose.source),
        "flags": [code for code, _values in dose.flags]})
    params = {
        "recipient": dose.recipient_id, "location": dose.location_id, "administered_at": dose.administered_at,
        "administered_on": dose.administered_on, "dose_number": dose.dose_number, "site": dose.site,
        "route": dose.route, "dose_volume_ml": dose.dose_volume_ml, "given_by": dose.given_by_id,
        "source": dose.source, "screening": json.dumps(dose.screening), "flags": json.dumps(dose.flags),
        "notes": dose.notes, "completed": c.ImmunizationStatus.COMPLETED.value, "dose_key": dose.idempotency_key,
        "dose_action": audit["action"], "dose_type": audit["content_type"].pk, "dose_repr": audit["object_repr"],
        "dose_changes": json.dumps(audit["changes"]), "due": WelcomeEmailStatus.DUE.value,
        "not_sent": WelcomeEmailStatus.NOT_SENT.value, "checkin": checkin and checkin.pk,
        "vaccinated": c.CheckInStatus.VACCINATED.value, "waiting": c.CheckInStatus.WAITING.value,
    }
    key = dose.idempotency_key and f"{dose.idempotency_key}:dose"
    with transaction.atomic() if connection.in_atomic_block else nullcontext():
        try:
            entry, (dose.pk, submission_id) = stock_record_with(
                lot=dose.lot, kind=LedgerKind.ADMINISTER, quantity=1, actor=actor, idempotency_key=key,
                note=f"Dose {dose.dose_number} to recipient {dose.recipient_id}", then=_DOSE,
                answers=", dose.id, submitted.id", joins=" LEFT JOIN dose ON true LEFT JOIN submitted ON true",
                params=params)
        except InsufficientStock as exc:
            raise _no_doses(dose.lot) from exc
    if dose.pk is None:  # the ledger already holds this key: a retry racing the first call
        raise ServiceError(_("The stock changed while this was recorded; try again."))
    vxu_submission_queue(submission_id=submission_id)
    dose.ledger_entry = entry
    dose.created_at = dose.updated_at = entry.at
    dose._state.adding = False
    dose._state.db = connection.alias
    if checkin is not None:
        checkin.refresh_from_db(fields=["status", "closed_at", "immunization"])
    return dose


def _no_doses(lot: InventoryLot) -> InsufficientStock:
    return InsufficientStock(_("Lot %(lot)s has no doses available: choose another lot.") % {"lot": lot.lot_number},
                             field="lot")


def _take_dose(*, lot: InventoryLot, actor, note: str) -> StockLedgerEntry:
    """The ledger entry that takes one dose from ``lot`` (a corrected record's new lot)."""
    try:
        return stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=1, actor=actor, note=note)
    except InsufficientStock as exc:
        raise _no_doses(lot) from exc


def _check_checkin(checkin: CheckIn | None, *, recipient: Recipient, location) -> None:
    if checkin is not None and (checkin.recipient_id, checkin.location_id) != (recipient.pk, location.pk):
        raise ServiceError(_("This check-in is for another recipient or location."), field="checkin")


def immunization_record(*, recipient: Recipient, lot: InventoryLot, given_by, actor=None,
                        dose_number: int | None = None, site: str | None = None, route: str | None = None,
                        dose_volume_ml=None, administered_at: datetime.datetime | None = None,
                        screening: dict | None = None, consent_given: bool = True,
                        source: str = c.ImmunizationSource.SCREEN, notes: str = "", checkin: CheckIn | None = None,
                        confirmed: bool = False, idempotency_key: str | None = None,
                        history: list[Immunization] | None = None) -> Immunization:
    """Record a dose given from ``lot`` and take it out of stock, in one transaction.

    Omitted values default from the recipient's history (dose number) and the product (site, route,
    volume). Refusals name their field. Warnings about the dose (``dose_warnings``) and, for a
    record from a paper form, what does not fit the lot's records of that day (``back_entry_flags``)
    raise ``NeedsConfirmation`` unless ``confirmed``; a confirmed paper record keeps its flags.
    With an ``idempotency_key`` a repeated call returns the first record. ``history``: the
    recipient's completed doses, read already (``recipient_doses_for_rules``).
    """
    actor = actor or given_by
    source = c.ImmunizationSource(source)
    history = recipient_doses_for_rules(recipient) if history is None else history
    earlier = idempotency_key and _earlier_record(idempotency_key, recipient, lot, among=history)
    if earlier:
        return Immunization.objects.select_related("lot__product", "given_by", "recorded_by").get(pk=earlier.pk)
    location = lot.location
    _require_role(given_by, location, "given_by", _("The vaccinator must be a vaccinator, vaccine coordinator or "
                                                    "location manager at %(location)s.") % {"location": location})
    if actor != given_by:
        _require_role(actor, location, "actor", _("Only the location's vaccinators, vaccine coordinators and "
                                                  "location managers may record doses."))
    _check_checkin(checkin, recipient=recipient, location=location)
    administered_at = administered_at or timezone.now()
    _check_time(recipient, administered_at)
    given_on = timezone.localdate(administered_at)
    product = lot.product
    flags = back_entry_flags(lot=lot, administered_at=administered_at) if source == c.ImmunizationSource.PAPER else []
    if lot.expiration_date < given_on and source != c.ImmunizationSource.PAPER:
        raise ServiceError(_("Lot %(lot)s expired on %(date)s.") % {"lot": lot.lot_number,
                                                                     "date": _short(lot.expiration_date)}, field="lot")
    if not consent_given:
        raise ServiceError(_("Record the recipient's consent before the dose."), field="consent_given")
    screening = {} if screening is None else _check_screening(screening, complete=source == c.ImmunizationSource.SCREEN)
    if dose_number is None:
        dose_number = next_dose_number(history)
    if not 1 <= int(dose_number) <= 6:
        raise ServiceError(_("The dose number must be from 1 to 6."), field="dose_number")
    site = site or product.default_site
    route = route or product.default_route
    dose_volume_ml = product.dose_volume_ml if dose_volume_ml is None else dose_volume_ml
    _check_coded(site, route, dose_volume_ml)
    if len(notes) > 2000:
        raise ServiceError(_("Keep the notes to 2,000 characters."), field="notes")
    if not confirmed:
        warnings = dose_warnings(recipient=recipient, product=product, dose_number=dose_number,
                                 administered_at=administered_at, history=history)
        texts = warnings + _flag_texts(flags)
        if texts:
            raise NeedsConfirmation([str(text) for text in texts], flags)
    dose = Immunization(recipient=recipient, lot=lot, location=location, administered_at=administered_at,
                        administered_on=given_on, dose_number=dose_number, site=site, route=route,
                        dose_volume_ml=dose_volume_ml, given_by=given_by, recorded_by=actor, source=source,
                        screening=screening, consent_given=True, flags=flags, notes=notes.strip(),
                        idempotency_key=idempotency_key)
    try:
        with _one_dose_a_day(recipient, given_on):
            return _insert(dose, actor=actor, checkin=checkin)
    except (IntegrityError, ServiceError):
        # A retry that raced the first call with the same key: the first record stands.
        earlier = idempotency_key and _earlier_record(idempotency_key, recipient, lot)
        if earlier:
            return earlier
        raise


#: The most doses one call of ``immunization_record_each`` records.
BATCH_MAX = 100


def immunization_record_each(calls: list[dict | ServiceError]) -> list[Immunization | ServiceError]:
    """Record each dose of a clinic system's batch on its own, in order: ``calls`` are the keyword
    arguments of ``immunization_record`` (or the refusal already found for that dose), and the
    answer is the record or the refusal of each. A refused dose holds back none of the others, and
    each dose saved stays saved. The batch's histories are read in one query; a dose's record
    joins its recipient's history at once, so a second dose for them in the batch is checked
    against it."""
    if len(calls) > BATCH_MAX:
        raise ValueError(f"At most {BATCH_MAX} doses a call")
    recipients = [call["recipient"] for call in calls if isinstance(call, dict)]
    histories = recipient_histories_for_rules(recipients)
    outcomes: list[Immunization | ServiceError] = []
    for call in calls:
        if isinstance(call, ServiceError):
            outcomes.append(call)
            continue
        history = histories[call["recipient"].pk]
        try:
            dose = immunization_record(**call, history=list(history))
        except ServiceError as refusal:
            outcomes.append(refusal)
            continue
        if all(earlier.pk != dose.pk for earlier in history):
            history.append(dose)
            history.sort(key=lambda earlier: (earlier.administered_at, earlier.pk))
        outcomes.append(dose)
    return outcomes


def _locked_completed(immunization: Immunization) -> Immunization:
    locked = (Immunization.objects.select_for_update().select_related("lot__product", "location", "recipient")
              .get(pk=immunization.pk))
    if locked.status != c.ImmunizationStatus.COMPLETED:
        raise ServiceError(_("This record was already marked entered in error."), field="status")
    return locked


def _give_back(immunization: Immunization, actor, note: str) -> None:
    """Return the dose the record took: a correction that reverses its ledger entry (at most once)."""
    entry: StockLedgerEntry | None = immunization.ledger_entry
    if entry is not None:
        stock_record(lot=entry.lot, kind=LedgerKind.CORRECTION, quantity=-entry.quantity, actor=actor,
                     note=note, reverses=entry)


EDITABLE = ("lot", "dose_number", "site", "route", "dose_volume_ml", "administered_at", "given_by", "notes",
            "screening")


def immunization_edit(*, immunization: Immunization, actor, confirmed: bool = False, **changes) -> Immunization:
    """Correct a completed record. A new lot gives the dose back to the old lot and takes one from
    the new, in one transaction; the fields that change are audited."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        record = _locked_completed(immunization)
        _require_role(actor, record.location, "actor", _("Only the location's vaccinators, vaccine coordinators and "
                                                         "location managers may correct doses."))
        lot = changes.get("lot", record.lot)
        if lot.location_id != record.location_id:
            raise ServiceError(_("Choose a lot at this location."), field="lot")
        given_by = changes.get("given_by", record.given_by)
        if given_by != record.given_by:
            _require_role(given_by, record.location, "given_by", _("The vaccinator must be a vaccinator, vaccine "
                                                                   "coordinator or location manager here."))
        administered_at = changes.get("administered_at", record.administered_at)
        _check_time(record.recipient, administered_at)
        given_on = timezone.localdate(administered_at)
        if lot.expiration_date < given_on and record.source != c.ImmunizationSource.PAPER:
            raise ServiceError(_("Lot %(lot)s expired on %(date)s.") % {"lot": lot.lot_number,
                                                                         "date": _short(lot.expiration_date)},
                               field="lot")
        dose_number = int(changes.get("dose_number", record.dose_number))
        if not 1 <= dose_number <= 6:
            raise ServiceError(_("The dose number must be from 1 to 6."), field="dose_number")
        _check_coded(changes.get("site", record.site), changes.get("route", record.route),
                     changes.get("dose_volume_ml", record.dose_volume_ml))
        if "screening" in changes:
            changes["screening"] = _check_screening(changes["screening"],
                                                    complete=record.source == c.ImmunizationSource.SCREEN)
        moved = lot != record.lot or administered_at != record.administered_at
        flags = record.flags
        if moved and record.source == c.ImmunizationSource.PAPER:  # flagged again against the new lot or time
            flags = back_entry_flags(lot=lot, administered_at=administered_at,
                                     ignoring=record.ledger_entry if lot == record.lot else None)
        if not confirmed and (moved or dose_number != record.dose_number):
            others = [dose for dose in recipient_doses(record.recipient) if dose.pk != record.pk]
            warnings = dose_warnings(recipient=record.recipient, product=lot.product, dose_number=dose_number,
                                     administered_at=administered_at, history=others)
            texts = warnings + _flag_texts([flag for flag in flags if flag not in record.flags])
            if texts:
                raise NeedsConfirmation(texts, flags)
        fields = dict(changes, administered_on=given_on, flags=flags)
        with _one_dose_a_day(record.recipient, given_on), transaction.atomic():
            if lot != record.lot:
                _give_back(record, actor, f"Immunization {record.pk} moved to lot {lot.lot_number}")
                fields["ledger_entry"] = _take_dose(lot=lot, actor=actor,
                                                    note=f"Dose {dose_number} to recipient {record.recipient_id}")
            if audited_update(record, fields=fields, actor=actor, action="registry.immunization.corrected"):
                report_event_add(immunization_id=record.pk, kind=ReportEventKind.CHANGED)
    return record


def immunization_mark_entered_in_error(*, immunization: Immunization, actor, reason: str) -> Immunization:
    """Mark a record entered in error and give its dose back to the lot, exactly once: a second
    attempt (or a race lost to another) is refused and moves no stock."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("A reason is required."), field="reason")
    if len(reason) > 2000:
        raise ServiceError(_("Keep the reason to 2,000 characters."), field="reason")
    with transaction.atomic():
        record = _locked_completed(immunization)
        _require_role(actor, record.location, "actor", _("Only the location's vaccinators, vaccine coordinators and "
                                                         "location managers may mark a dose entered in error."))
        _give_back(record, actor, f"Immunization {record.pk} entered in error")
        record.status = c.ImmunizationStatus.ENTERED_IN_ERROR
        record.status_reason = reason
        record.save(update_fields=["status", "status_reason", "updated_at"])
        audit_log(actor=actor, action="registry.immunization.entered_in_error", obj=record,
                  changes={"status": ["completed", "entered_in_error"], "reason": reason})
        report_event_add(immunization_id=record.pk, kind=ReportEventKind.DELETED)
    immunization.status, immunization.status_reason = record.status, record.status_reason
    return immunization
