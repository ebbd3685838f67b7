"""Requests about a recipient record that staff act on (FAQ 31, 34): a recipient asks for a
correction of their name, date of birth or a dose; an organization asks for a removal. State staff
and help desk agents see the open ones in admin, correct the record through ``recipient_update``
and resolve the request; the recipient is emailed in their language, through the outbox."""

import logging
import smtplib

from django.conf import settings
from django.db import transaction
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

log = logging.getLogger(__name__)

MAX_DETAILS = 1000


class TooManyOpenRequests(ServiceError):
    """The recipient has ``CVMS_RECIPIENT_OPEN_REQUESTS`` requests waiting already."""


def recipient_request_open(*, recipient: Recipient, actor, kind: str = c.RequestKind.CORRECTION, subject: str = "",
                           details: str, wanted: str = "") -> RecipientRequest:
    """Open a request about ``recipient``'s record (audited). A correction names what it is about;
    a recipient has at most ``CVMS_RECIPIENT_OPEN_REQUESTS`` open at once (counted under a lock
    on their row, so two at the same moment cannot pass the limit together)."""
    if kind not in c.RequestKind.values:
        raise ServiceError(_("Choose from the list."), field="kind")
    if kind == c.RequestKind.CORRECTION and subject not in c.CorrectionSubject.values:
        raise ServiceError(_("Choose what needs correcting."), field="subject")
    details = text_check(details, field="details", label=_("What is wrong"), limit=MAX_DETAILS)
    if not details:
        raise ServiceError(_("Say what is wrong."), field="details")
    wanted = text_check(wanted, field="wanted", label=_("What it should be"), limit=MAX_DETAILS)
    with transaction.atomic():
        Recipient.objects.select_for_update().filter(pk=recipient.pk).exists()
        waiting = RecipientRequest.objects.filter(recipient=recipient, status=c.RequestStatus.OPEN).count()
        if waiting >= settings.CVMS_RECIPIENT_OPEN_REQUESTS:
            raise TooManyOpenRequests(_("You have %(count)d requests waiting already. Staff will answer them "
                                        "first; you can ask again once one is answered.") % {"count": waiting})
        request = RecipientRequest.objects.create(recipient=recipient, kind=kind, subject=subject, details=details,
                                                  wanted=wanted, requested_by=actor)
        audit_log(actor=actor, action="recipients.request.opened", obj=request,
                  changes={"recipient": recipient, "kind": kind, "subject": subject})
    return request


def recipient_request_resolve(*, request: RecipientRequest, actor, status: str, note: str = "") -> RecipientRequest:
    """Mark an open request done or declined with a note to the recipient (audited), and email them
    once this commits. A request resolved already is refused, so two staff members cannot both
    answer it."""
    if status not in (c.RequestStatus.DONE, c.RequestStatus.DECLINED):
        raise ServiceError(_("Choose done or declined."), field="status")
    note = text_check(note, field="note", label=_("Note to the recipient"), limit=MAX_DETAILS)
    if status == c.RequestStatus.DECLINED and not note:
        raise ServiceError(_("Say why the request is declined: the recipient reads it."), field="note")
    from cvms.recipients.tasks import send_request_resolved_email

    now = timezone.now()
    with transaction.atomic():
        resolved = RecipientRequest.objects.filter(pk=request.pk, status=c.RequestStatus.OPEN).update(
            status=status, note=note, resolved_by=actor, resolved_at=now)
        if not resolved:
            raise ServiceError(_("This request was resolved already."), field="status")
        audit_log(actor=actor, action="recipients.request.resolved", obj=request,
                  changes={"status": status, "note": note})
        outbox_enqueue(task=send_request_resolved_email, args=[request.pk])
    request.refresh_from_db()
    return request


def request_resolved_email_send(*, request_id: int) -> bool:
    """Email the recipient that their request was resolved, in their language, once (the row is
    marked first; a failed send unmarks it for the retry). False when there is nobody to email."""
    claimed = RecipientRequest.objects.filter(pk=request_id, notified_at__isnull=True).exclude(
        status=c.RequestStatus.OPEN).update(notified_at=timezone.now())
    if not claimed:
        return False
    request = RecipientRequest.objects.select_related("recipient").get(pk=request_id)
    recipient = request.recipient
    if not is_mail_address(recipient.email):
        return False
    try:
        build_email(template_prefix="recipients/email/request_resolved", language=recipient.preferred_language,
                    to=[recipient.email], context={"recipient": recipient, "request": request,
                                                   "portal_url": links.link_url(links.RECIPIENT_HOME)}).send()
    except (smtplib.SMTPException, OSError):
        RecipientRequest.objects.filter(pk=request_id).update(notified_at=None)
        raise
    return True
