"""The clinic floor's queue: people checked in at a location wait for a dose; a saved dose
(``administer.immunization_record``) or "left without a dose" closes their check-in."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.immunizations import choices as c
from cvms.immunizations.models import CheckIn
from cvms.immunizations.roles import CHECKIN_ROLES
from cvms.inventory.roles import holds_role_at
from cvms.recipients.services import recipient_register_walk_in


class AlreadyWaiting(ServiceError):
    """The person is already in the location's queue; ``checkin`` is their waiting check-in."""

    def __init__(self, checkin: CheckIn):
        super().__init__(_("%(name)s is already checked in and waiting (since %(time)s).")
                         % {"name": f"{checkin.recipient.first_name} {checkin.recipient.last_name}",
                            "time": time_format(timezone.localtime(checkin.checked_in_at), "TIME_FORMAT")})
        self.checkin = checkin


def _require_checkin_role(actor, location) -> None:
    if not holds_role_at(actor, location, CHECKIN_ROLES):
        raise ServiceError(_("Only the people who work at %(location)s may check recipients in there.")
                           % {"location": location.name})


def _close(checkin: CheckIn, *, status: str, actor, reason: str) -> bool:
    """Close a waiting check-in, audited; a conditional UPDATE, so one closed already (by a dose, or
    by someone else a moment ago) stays as it is and ``False`` is returned."""
    if not CheckIn.objects.filter(pk=checkin.pk, status=c.CheckInStatus.WAITING).update(
            status=status, closed_at=timezone.now()):
        return False
    audit_log(actor=actor, action="registry.checkin.closed", obj=checkin,
              changes={"status": ["waiting", str(status)], "reason": reason})
    return True


def checkin_open(*, location, recipient, actor) -> CheckIn:
    """Check ``recipient`` in at ``location``. One waiting check-in per person and location (the
    database holds it): checking in someone already waiting today raises ``AlreadyWaiting``; a
    check-in left waiting from an earlier day is closed as "left" first."""
    _require_checkin_role(actor, location)
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        for earlier in CheckIn.objects.filter(location=location, recipient=recipient, status=c.CheckInStatus.WAITING,
                                              checked_in_at__lt=today_start):
            _close(earlier, status=c.CheckInStatus.LEFT, actor=actor, reason="still waiting from an earlier day")
        try:
            with transaction.atomic():
                checkin = CheckIn.objects.create(location=location, recipient=recipient, checked_in_by=actor)
        except IntegrityError as exc:
            if "checkin_one_waiting_per_location" not in str(exc):
                raise
            waiting = CheckIn.objects.select_related("recipient").get(
                location=location, recipient=recipient, status=c.CheckInStatus.WAITING)
            raise AlreadyWaiting(waiting) from None
        audit_log(actor=actor, action="registry.checkin.opened", obj=checkin,
                  changes={"recipient": recipient, "location": location})
    return checkin


def checkin_close_left(*, checkin: CheckIn, actor) -> CheckIn:
    """The person left without a dose: their check-in leaves the queue. Refused when it was closed
    already (a dose was saved, or someone else marked it)."""
    _require_checkin_role(actor, checkin.location)
    with transaction.atomic():
        if not _close(checkin, status=c.CheckInStatus.LEFT, actor=actor, reason="left without a dose"):
            checkin.refresh_from_db(fields=["status"])
            raise ServiceError(_("This check-in was already closed (%(status)s).")
                               % {"status": checkin.get_status_display()})
    checkin.refresh_from_db(fields=["status", "closed_at"])
    return checkin


def checkin_walk_in(*, location, actor, **details) -> CheckIn:
    """Register a person who walked in (``recipient_register_walk_in``, which names the field it
    refuses and raises ``DuplicateRecipient`` with the record of a person already registered) and
    check them in, in one transaction: nothing is saved unless both are."""
    with transaction.atomic():
        recipient = recipient_register_walk_in(location=location, actor=actor, **details)
        return checkin_open(location=location, recipient=recipient, actor=actor)
