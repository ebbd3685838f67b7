"""Requests about a recipient record that staff act on (FAQ 31, 34): a recipient asks for a
correction of their name, date of birth or a dose; an employer's coordinator asks for the removal
of an employee they uploaded. State staff and help desk agents see the open ones in admin, correct
the record through ``recipient_update`` and resolve the request (a removal done removes the record
through ``recipient_remove`` in the same transaction); whoever asked is emailed in their language,
through the outbox: the recipient for a correction, the coordinator for a removal."""

import logging
import smtplib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.core import links
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.core.mail import build_email
from cvms.core.outbox import outbox_enqueue
from cvms.core.validators import is_mail_address
from cvms.recipients import choices as c
from cvms.recipients.models import Recipient, RecipientRequest
from cvms.recipients.names import text_check
from cvms.recipients.services import recipient_remove

log = logging.getLogger(__name__)

MAX_DETAILS = 1000

#: Sent, inside the transaction, when a request is opened (``request``) and when it is resolved
#: (``request``, ``actor``): the help desk keeps a case for each (``helpdesk.requests``), so the
#: core knows no portal.
request_opened = Signal()
request_resolved = Signal()


class TooManyOpenRequests(ServiceError):
    """The recipient has ``CVMS_RECIPIENT_OPEN_REQUESTS`` requests waiting already."""


def recipient_request_open(*, recipient: Recipient, actor, kind: str = c.RequestKind.CORRECTION, subject: str = "",
                           details: str, wanted: str = "") -> RecipientRequest:
    """Open a request about ``recipient``'s record (audited). A correction names what it is about;
    a recipient has at most ``CVMS_RECIPIENT_OPEN_REQUESTS`` open at once (counted under a lock
    on their row, so two at the same moment cannot pass the limit together)."""
    if kind != c.RequestKind.CORRECTION:  # a removal is the employer's: employee_removal_request_open
        raise ServiceError(_("Choose from the list."), field="kind")
    if kind == c.RequestKind.CORRECTION and subject not in c.CorrectionSubject.values:
        raise ServiceError(_("Choose what needs correcting."), field="subject")
    details = text_check(details, field="details", label=_("What is wrong"), limit=MAX_DETAILS)
    if not details:
        raise ServiceError(_("Say what is wrong."), field="details")
    wanted = text_check(wanted, field="wanted", label=_("What it should be"), limit=MAX_DETAILS)
    with transaction.atomic():
        Recipient.objects.select_for_update().filter(pk=recipient.pk).exists()
        waiting = RecipientRequest.objects.filter(recipient=recipient, status=c.RequestStatus.OPEN,
                                                  kind=c.RequestKind.CORRECTION).count()
        if waiting >= settings.CVMS_RECIPIENT_OPEN_REQUESTS:
            raise TooManyOpenRequests(_("You have %(count)d requests waiting already. Staff will answer them "
                                        "first; you can ask again once one is answered.") % {"count": waiting})
        request = RecipientRequest.objects.create(recipient=recipient, kind=kind, subject=subject, details=details,
                                                  wanted=wanted, requested_by=actor,
                                                  recipient_name=_name(recipient))
        audit_log(actor=actor, action="recipients.request.opened", obj=request,
                  changes={"recipient": recipient, "kind": kind, "subject": subject})
        request_opened.send(sender=RecipientRequest, request=request)
    return request


def _name(recipient: Recipient) -> str:
    return f"{recipient.first_name} {recipient.last_name}"


class RemovalRequestedAlready(ServiceError):
    """The employee's removal waits for staff already."""


def employee_removal_request_open(*, employer, recipient: Recipient, actor, reason: str) -> RecipientRequest:
    """An employer's coordinator asks staff to remove an employee it uploaded, saying why (audited).
    One removal of a record waits at a time (under the recipient's row lock, and a unique index
    behind it). Whether the employee has doses is not asked here: the employer never learns it;
    staff, who may remove only a record without doses (``recipient_remove``), decline otherwise."""
    if recipient.employer_id != employer.pk:
        raise ServiceError(_("This person is not one of your employees."), field="recipient")
    reason = text_check(reason, field="reason", label=_("Reason"), limit=MAX_DETAILS)
    if not reason:
        raise ServiceError(_("Say why this employee should be removed."), field="reason")
    refusal = RemovalRequestedAlready(
        _("The removal of %(name)s was requested already; staff will answer that request.")
        % {"name": _name(recipient)}, field="reason")
    try:
        with transaction.atomic():
            Recipient.objects.select_for_update().filter(pk=recipient.pk).exists()
            if RecipientRequest.objects.filter(recipient=recipient, kind=c.RequestKind.REMOVAL,
                                               status=c.RequestStatus.OPEN).exists():
                raise refusal
            request = RecipientRequest.objects.create(
                recipient=recipient, recipient_name=_name(recipient), organization=employer,
                kind=c.RequestKind.REMOVAL, details=reason, requested_by=actor)
            audit_log(actor=actor, action="recipients.request.opened", obj=request,
                      changes={"recipient": recipient, "kind": c.RequestKind.REMOVAL, "organization": employer,
                               "reason": reason})
            request_opened.send(sender=RecipientRequest, request=request)
    except IntegrityError:  # the unique index: another coordinator asked at the same moment
        raise refusal from None
    return request


def organization_removal_requests(*, organization):
    """The removal requests ``organization``'s coordinators made, newest first."""
    return RecipientRequest.objects.filter(organization=organization).select_related("requested_by")


def recipient_request_resolve(*, request: RecipientRequest, actor, status: str, note: str = "") -> RecipientRequest:
    """Mark an open request done or declined with a note to whoever asked (audited), and email them
    once this commits. A removal done removes the record through ``recipient_remove`` in the same
    transaction, so a record it refuses (one with doses) leaves the request open. A request
    resolved already is refused, so two staff members cannot both answer it."""
    if status not in (c.RequestStatus.DONE, c.RequestStatus.DECLINED):
        raise ServiceError(_("Choose done or declined."), field="status")
    removal = request.kind == c.RequestKind.REMOVAL
    note = text_check(note, field="note", label=_("Note to the requester") if removal else _("Note to the recipient"),
                      limit=MAX_DETAILS)
    if status == c.RequestStatus.DECLINED and not note:
        raise ServiceError(_("Say why the request is declined: the employer's coordinator reads it.") if removal
                           else _("Say why the request is declined: the recipient reads it."), field="note")
    from cvms.recipients.tasks import send_request_resolved_email

    now = timezone.now()
    with transaction.atomic():
        resolved = RecipientRequest.objects.filter(pk=request.pk, status=c.RequestStatus.OPEN).update(
            status=status, note=note, resolved_by=actor, resolved_at=now)
        if not resolved:
            raise ServiceError(_("This request was resolved already."), field="status")
        audit_log(actor=actor, action="recipients.request.resolved", obj=request,
                  changes={"status": status, "note": note})
        if removal and status == c.RequestStatus.DONE:
            _remove(request, actor=actor)
        outbox_enqueue(task=send_request_resolved_email, args=[request.pk])
        request.refresh_from_db()
        request_resolved.send(sender=RecipientRequest, request=request, actor=actor)
    return request


def _remove(request: RecipientRequest, *, actor) -> None:
    recipient = Recipient.objects.select_for_update().filter(pk=request.recipient_id).first()
    if recipient is None:  # removed already (by the recipient admin's action): nothing left to do
        return
    try:
        # The audit log's words, not a reader's: the same in every language.
        recipient_remove(recipient=recipient, actor=actor, reason=f"removal request #{request.pk}: {request.details}")
    except ServiceError as refusal:
        raise ServiceError(_("%(refusal)s Decline the request with a note to the employer instead.")
                           % {"refusal": refusal}, field="status") from None


def request_resolved_email_send(*, request_id: int) -> bool:
    """Email whoever asked that their request was resolved, in their language, once (the row is
    marked first; a failed send unmarks it for the retry): the recipient for a correction, the
    coordinator who asked for a removal (never the employee). False when there is nobody to email."""
    claimed = RecipientRequest.objects.filter(pk=request_id, notified_at__isnull=True).exclude(
        status=c.RequestStatus.OPEN).update(notified_at=timezone.now())
    if not claimed:
        return False
    request = RecipientRequest.objects.select_related("recipient", "requested_by", "organization").get(pk=request_id)
    email = _email_for(request)
    if email is None:
        return False
    try:
        email.send()
    except (smtplib.SMTPException, OSError):
        RecipientRequest.objects.filter(pk=request_id).update(notified_at=None)
        raise
    return True


def _email_for(request: RecipientRequest):
    """The email telling whoever asked how ``request`` was resolved; None when nobody can be emailed."""
    if request.kind == c.RequestKind.REMOVAL:
        coordinator = request.requested_by
        if coordinator is None or not is_mail_address(coordinator.email):
            return None
        return build_email(
            template_prefix="recipients/email/removal_resolved", language=coordinator.preferred_language,
            to=[coordinator.email], context={
                "coordinator": coordinator, "request": request, "organization": request.organization,
                "requests_url": links.link_url(links.EMPLOYEE_REMOVAL_REQUESTS, request.organization_id)})
    recipient = request.recipient
    if recipient is None or not is_mail_address(recipient.email):
        return None
    return build_email(template_prefix="recipients/email/request_resolved", language=recipient.preferred_language,
                       to=[recipient.email], context={"recipient": recipient, "request": request,
                                                      "portal_url": links.link_url(links.RECIPIENT_HOME)})
