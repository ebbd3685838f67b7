"""Help desk cases: opened by a provider (Get Help) or a recipient (the public form), worked by
agents in admin. Every change is a conditional UPDATE from the statuses it may leave, audited, and
what the requester must hear is emailed through the outbox once it commits.

New -> In Progress (assigned, or answered) -> Awaiting Information (the agent asks) -> In Progress
(the requester replies) -> Resolved (notes emailed) -> Closed. A case that is not closed may be
resolved from any open status."""

import datetime
import smtplib
import unicodedata
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cvms.accounts.models import Role
from cvms.accounts.selectors import user_has_role
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.core.mail import build_email
from cvms.core.outbox import outbox_enqueue
from cvms.core.phones import phone_check
from cvms.core.validators import is_mail_address, validate_mail_address
from cvms.recipients import choices as rc
from cvms.recipients.names import alphabets_check, name_check
from helpdesk.attachments import attachment_check
from helpdesk.models import (
    CASE_NUMBER_PREFIX,
    CASE_NUMBER_SEQUENCE,
    EMAILED,
    GENERIC_PROVIDER,
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    CaseMessage,
    CaseStatus,
    Channel,
    MessageKind,
    Priority,
    RequestType,
)
from helpdesk.tasks import send_case_confirmation, send_case_message

MAX_TEXT = 4000
MAX_ORGANIZATION = 200


def case_number_next() -> str:
    """The next case number from the database's sequence: readable, never reused."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [CASE_NUMBER_SEQUENCE])
        (value,) = cursor.fetchone()
    return f"{CASE_NUMBER_PREFIX}{value:07d}"


def case_due_at(*, priority: str, opened_at: datetime.datetime) -> datetime.datetime:
    hours = {Priority.HIGH: settings.CVMS_CASE_DUE_HOURS_HIGH, Priority.NORMAL: settings.CVMS_CASE_DUE_HOURS_NORMAL,
             Priority.LOW: settings.CVMS_CASE_DUE_HOURS_LOW}[priority]
    return opened_at + datetime.timedelta(hours=hours)


def text_check(value: str, *, field: str, label: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    """Free text as stored: NFKC, line breaks kept (as ``\\n``), surrounding blanks gone. Refuses,
    naming ``label``: control and invisible formatting characters (a NUL byte, a right-to-left
    override), text over ``limit`` characters and, when ``required``, nothing at all."""
    text = unicodedata.normalize("NFKC", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if any(ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text):
        raise ServiceError(_("%(label)s contains a character that cannot be saved (such as a NUL byte); delete it and "
                             "type it again.") % {"label": label}, field=field)
    if len(text) > limit:
        raise ServiceError(_("%(label)s must be at most %(max)d characters.") % {"label": label, "max": limit},
                           field=field)
    if required and not text:
        raise ServiceError(_("Enter the %(label)s.") % {"label": label.lower()}, field=field)
    return text


def provider_primary_organization(*, user) -> str:
    """The organization a provider named on their first case ("" before it)."""
    first = Case.objects.filter(requester=user, channel=Channel.PROVIDER).order_by("created_at", "id").first()
    return first.provider_organization if first else ""


def provider_organization_default(*, user) -> str:
    """What Provider Organization shows on Get Help: "Generic Vaccine Provider" the first time, the
    organization of the provider's first case after."""
    return provider_primary_organization(user=user) or GENERIC_PROVIDER


def _attachments_check(files) -> list[tuple]:
    files = list(files or ())
    if len(files) > settings.CVMS_CASE_ATTACHMENTS_PER_MESSAGE:
        raise ServiceError(_("Attach at most %(max)d files.") % {"max": settings.CVMS_CASE_ATTACHMENTS_PER_MESSAGE},
                           field="attachments")
    return [(upload, *attachment_check(upload)) for upload in files]


@contextmanager
def _files_undone_on_failure():
    """Files written inside the block are deleted again if it fails: a rolled-back case leaves no
    file in storage that no row points to. Yields the list ``_attachments_save`` adds them to."""
    written = []
    try:
        yield written
    except BaseException:
        for file in written:
            file.storage.delete(file.name)
        raise


def _attachments_save(*, case: Case, message: CaseMessage | None, checked: list[tuple], actor,
                      written: list) -> None:
    for upload, name, content_type in checked:
        attachment = CaseAttachment(case=case, message=message, name=name, content_type=content_type,
                                    size=upload.size, uploaded_by=actor if actor and actor.is_authenticated else None)
        attachment.file.save(name, upload, save=False)
        written.append(attachment.file)
        attachment.save()
        audit_log(actor=actor, action="helpdesk.case.attached", obj=case,
                  changes={"attachment": attachment.pk, "name": name, "size": upload.size})


def case_open(*, actor, channel: str, request_type: str, description: str, provider_organization: str = "",
              requester_name: str = "", requester_email: str = "", requester_phone: str = "",
              language: str = "en", attachments=(), location=None, recipient=None, upload=None) -> Case:
    """Open a case (audited) and email the requester its number once this commits. A provider's case
    is the signed-in ``actor``'s; on their first case ``provider_organization`` (required) becomes
    their primary organization, later a blank one means the primary and another name a secondary
    organization. A recipient's case from the public form names a person and an email or a phone."""
    if request_type not in RequestType.values:
        raise ServiceError(_("Choose a request type from the list."), field="request_type")
    description = text_check(description, field="description", label=_("Description of request"))
    checked = _attachments_check(attachments)
    signed_in = actor is not None and actor.is_authenticated
    fields = {"channel": channel, "request_type": request_type, "description": description,
              "language": language if language in ("en", "es") else "en",
              "location": location, "recipient": recipient, "upload": upload}
    if channel == Channel.PROVIDER:
        if not signed_in:
            raise ServiceError(_("Sign in to file a case as a provider."))
        fields.update(requester=actor, **_provider_organization(user=actor, typed=provider_organization))
    elif channel == Channel.RECIPIENT:
        fields.update(_recipient_contact(name=requester_name, email=requester_email, phone=requester_phone),
                      requester=actor if signed_in else None)
    else:
        raise ServiceError(_("Choose from the list."), field="channel")
    now = timezone.now()
    with _files_undone_on_failure() as written, transaction.atomic():
        case = Case.objects.create(number=case_number_next(), due_at=case_due_at(priority=Priority.NORMAL,
                                                                                  opened_at=now), **fields)
        _attachments_save(case=case, message=None, checked=checked, actor=actor, written=written)
        audit_log(actor=actor, action="helpdesk.case.opened", obj=case,
                  changes={"channel": channel, "request_type": request_type,
                           "provider_organization": case.provider_organization})
        outbox_enqueue(task=send_case_confirmation, args=[case.pk])
    return case


def _provider_organization(*, user, typed: str) -> dict:
    typed = text_check(typed, field="provider_organization", label=_("Provider Organization"),
                       limit=MAX_ORGANIZATION, required=False)
    typed = " ".join(typed.split())
    primary = provider_primary_organization(user=user)
    if not primary:
        if not typed or typed.casefold() == GENERIC_PROVIDER.casefold():
            raise ServiceError(_("Type the name of your primary provider organization."),
                               field="provider_organization")
        return {"provider_organization": typed, "secondary_organization": False}
    if not typed or typed.casefold() == primary.casefold():
        return {"provider_organization": primary, "secondary_organization": False}
    return {"provider_organization": typed, "secondary_organization": True}


def _recipient_contact(*, name: str, email: str, phone: str) -> dict:
    name = name_check(name, field="requester_name", label=_("Name"))
    alphabets_check(name, field="requester_name", label=_("Name"))
    email = (email or "").strip()
    if email:
        try:
            validate_mail_address(email)
        except ValidationError as problem:
            raise ServiceError(problem.messages[0], field="requester_email") from None
    try:
        phone = phone_check((phone or "").strip())
    except ValidationError as problem:
        raise ServiceError(problem.messages[0], field="requester_phone") from None
    if not email and not phone:
        raise ServiceError(_("Enter an email address or a phone number, so the help desk can answer you."),
                           field="requester_email")
    return {"requester_name": name, "requester_email": email, "requester_phone": phone}


def _transition(case: Case, *, actor, to: str, allowed_from, action: str, fields: dict | None = None,
                changes: dict | None = None) -> Case:
    """Move ``case`` to ``to`` only from ``allowed_from`` (one conditional UPDATE: two agents
    cannot both move it), audited. The caller holds the transaction."""
    fields = {"status": to, "updated_at": timezone.now(), **(fields or {})}
    moved = Case.objects.filter(pk=case.pk, status__in=list(allowed_from)).update(**fields)
    if not moved:
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        raise ServiceError(_("Case %(number)s is %(status)s: it cannot be changed that way.") % {
            "number": case.number, "status": CaseStatus(current).label if current else "?"}, field="status")
    audit_log(actor=actor, action=action, obj=case,
              changes={"status": [case.status, to], **(changes or {})})
    case.refresh_from_db()
    return case


def _message(*, case: Case, actor, kind: str, body: str, label: str | None = None) -> CaseMessage:
    signed_in = actor is not None and actor.is_authenticated
    message = CaseMessage.objects.create(case=case, kind=kind, body=body, author=actor if signed_in else None,
                                         author_label=label or (actor.email if signed_in else case.requester_label))
    if kind in EMAILED:
        outbox_enqueue(task=send_case_message, args=[message.pk])
    return message


def _agent_check(actor) -> None:
    if not user_has_role(actor, Role.HELPDESK_AGENT, Role.STATE_STAFF):
        raise ServiceError(_("Only help desk agents work cases."))


def case_assign(*, case: Case, actor, assignee) -> Case:
    """Give the case to a help desk agent (audited); a new case is then In Progress."""
    _agent_check(actor)
    if assignee is not None and not user_has_role(assignee, Role.HELPDESK_AGENT):
        raise ServiceError(_("Cases are assigned to help desk agents only."), field="assignee")
    with transaction.atomic():
        if case.status == CaseStatus.NEW and assignee is not None:
            return _transition(case, actor=actor, to=CaseStatus.IN_PROGRESS, allowed_from=[CaseStatus.NEW],
                               action="helpdesk.case.assigned", fields={"assignee": assignee},
                               changes={"assignee": assignee})
        changed = Case.objects.filter(pk=case.pk, status__in=OPEN_STATUSES).update(assignee=assignee,
                                                                                   updated_at=timezone.now())
        if not changed:
            raise ServiceError(_("Only open cases are assigned."), field="assignee")
        audit_log(actor=actor, action="helpdesk.case.assigned", obj=case,
                  changes={"assignee": [case.assignee_id, assignee.pk if assignee else None]})
    case.refresh_from_db()
    return case


def case_priority_set(*, case: Case, actor, priority: str) -> Case:
    """Change the priority; the due time follows it, counted from the case's opening (audited)."""
    _agent_check(actor)
    if priority not in Priority.values:
        raise ServiceError(_("Choose a priority from the list."), field="priority")
    due = case_due_at(priority=priority, opened_at=case.created_at)
    with transaction.atomic():
        if not Case.objects.filter(pk=case.pk, status__in=OPEN_STATUSES).update(priority=priority, due_at=due):
            raise ServiceError(_("Only open cases change priority."), field="priority")
        audit_log(actor=actor, action="helpdesk.case.prioritized", obj=case,
                  changes={"priority": [case.priority, priority], "due_at": due})
    case.refresh_from_db()
    return case


def case_note(*, case: Case, actor, body: str) -> CaseMessage:
    """An internal note: agents read it, the requester never does (audited)."""
    _agent_check(actor)
    body = text_check(body, field="body", label=_("Internal note"))
    with transaction.atomic():
        message = _message(case=case, actor=actor, kind=MessageKind.INTERNAL, body=body)
        audit_log(actor=actor, action="helpdesk.case.noted", obj=case, changes={"message": message.pk})
    return message


def case_reply(*, case: Case, actor, body: str) -> CaseMessage:
    """Answer the requester (emailed); a new case is then In Progress (audited)."""
    _agent_check(actor)
    body = text_check(body, field="body", label=_("Reply"))
    with transaction.atomic():
        if case.status == CaseStatus.NEW:
            _transition(case, actor=actor, to=CaseStatus.IN_PROGRESS, allowed_from=[CaseStatus.NEW],
                        action="helpdesk.case.started")
        elif case.status not in OPEN_STATUSES:
            raise ServiceError(_("Case %(number)s is %(status)s: it cannot be changed that way.") % {
                "number": case.number, "status": case.get_status_display()}, field="status")
        message = _message(case=case, actor=actor, kind=MessageKind.REPLY, body=body)
        audit_log(actor=actor, action="helpdesk.case.replied", obj=case, changes={"message": message.pk})
    return message


def case_info_request(*, case: Case, actor, body: str) -> CaseMessage:
    """Ask the requester for more information: the case waits on them, and they are emailed."""
    _agent_check(actor)
    body = text_check(body, field="body", label=_("Information needed"))
    with transaction.atomic():
        _transition(case, actor=actor, to=CaseStatus.AWAITING_INFO,
                    allowed_from=[CaseStatus.NEW, CaseStatus.IN_PROGRESS], action="helpdesk.case.info_requested")
        return _message(case=case, actor=actor, kind=MessageKind.INFO_REQUEST, body=body)


def case_requester_reply(*, case: Case, actor, body: str, attachments=()) -> CaseMessage:
    """The requester answers a request for information (with files, if any): the case is back In
    Progress. Accepted only while the case awaits them."""
    body = text_check(body, field="body", label=_("Your reply"))
    checked = _attachments_check(attachments)
    with _files_undone_on_failure() as written, transaction.atomic():
        _transition(case, actor=actor, to=CaseStatus.IN_PROGRESS, allowed_from=[CaseStatus.AWAITING_INFO],
                    action="helpdesk.case.requester_replied")
        message = _message(case=case, actor=actor, kind=MessageKind.REQUESTER, body=body)
        _attachments_save(case=case, message=message, checked=checked, actor=actor, written=written)
    return message


def case_resolve(*, case: Case, actor, notes: str) -> Case:
    """Resolve the case with notes the requester is emailed, in their language (audited)."""
    _agent_check(actor)
    notes = text_check(notes, field="body", label=_("Resolution notes"))
    with transaction.atomic():
        case = _transition(case, actor=actor, to=CaseStatus.RESOLVED, allowed_from=OPEN_STATUSES,
                           action="helpdesk.case.resolved", fields={"resolved_at": timezone.now()})
        _message(case=case, actor=actor, kind=MessageKind.RESOLUTION, body=notes)
    return case


def case_close(*, case: Case, actor) -> Case:
    """Close a resolved case for good (audited)."""
    _agent_check(actor)
    with transaction.atomic():
        return _transition(case, actor=actor, to=CaseStatus.CLOSED, allowed_from=[CaseStatus.RESOLVED],
                           action="helpdesk.case.closed", fields={"closed_at": timezone.now()})


def _requester_language(case: Case) -> str:
    if case.requester_id and case.channel == Channel.PROVIDER:
        return case.requester.preferred_language or case.language
    return case.language


def _send(*, case: Case, template: str, context: dict) -> None:
    build_email(template_prefix=f"helpdesk/email/{template}", language=_requester_language(case),
                to=[case.requester_address], context={"case": case, **context}).send()


def _send_once(rows, *, mark: str, send) -> bool:
    """Mark ``rows`` (one row, unmarked) and run ``send``; a failed send unmarks it for the retry,
    so a task run twice emails once. False when nothing was sent."""
    if not rows.filter(**{f"{mark}__isnull": True}).update(**{mark: timezone.now()}):
        return False
    try:
        return send()
    except (smtplib.SMTPException, OSError):
        rows.update(**{mark: None})
        raise


def case_confirmation_send(*, case_id: int) -> bool:
    """Email the requester their case number, once. False when there is nobody to email (a phone only)."""
    def send():
        case = Case.objects.select_related("requester").get(pk=case_id)
        if not is_mail_address(case.requester_address):
            return False
        _send(case=case, template="case_opened", context={"cases_url": _cases_url(case)})
        return True

    return _send_once(Case.objects.filter(pk=case_id), mark="confirmation_sent_at", send=send)


def case_message_send(*, message_id: int) -> bool:
    """Email the requester an agent's reply, request for information or resolution notes, once."""
    def send():
        message = CaseMessage.objects.select_related("case", "case__requester").get(pk=message_id)
        if not is_mail_address(message.case.requester_address):
            return False
        _send(case=message.case, template=f"case_{message.kind}",
              context={"message": message, "cases_url": _cases_url(message.case)})
        return True

    return _send_once(CaseMessage.objects.filter(pk=message_id, kind__in=EMAILED), mark="notified_at", send=send)


def _cases_url(case: Case) -> str:
    """Where the requester follows the case: My Lists, for one with an account."""
    if not case.requester_id:
        return ""
    from django.urls import reverse

    with translation.override(None):
        return settings.SITE_URL.rstrip("/") + reverse("helpdesk:case_detail", args=[case.number])


# --- Requests about a recipient record (``cvms.recipients.requests``) have a case each:
# they reach the queues with a number and show in the requester's My Lists; staff act on the request,
# which resolves its case (``helpdesk.requests`` connects these to the core's signals).

def _request_description(request) -> str:
    lines = [request.details]
    if request.kind == rc.RequestKind.CORRECTION:
        lines.insert(0, f"[{rc.CorrectionSubject(request.subject).label}]" if request.subject else "")
        if request.wanted:
            lines.append(f"→ {request.wanted}")
    return "\n".join(line for line in lines if line)


def case_open_for_request(*, request) -> Case:
    """Open the request's case (audited), and email the requester its number once this commits."""
    asker = request.requested_by
    removal = request.kind == rc.RequestKind.REMOVAL
    recipient = request.recipient
    now = timezone.now()
    case = Case.objects.create(
        number=case_number_next(), due_at=case_due_at(priority=Priority.NORMAL, opened_at=now),
        channel=Channel.ORGANIZATION if removal else Channel.RECIPIENT,
        request_type=RequestType.RECIPIENT_REMOVAL if removal else RequestType.RECIPIENT_CORRECTION,
        description=_request_description(request), requester=asker,
        requester_name=(asker.get_full_name() if asker else "") or request.recipient_name,
        requester_email=(asker.email if asker else "") or (recipient.email if recipient else ""),
        language=(asker.preferred_language if asker else "") or "en",
        provider_organization=request.organization.name if removal and request.organization else "",
        recipient=recipient, recipient_request=request)
    audit_log(actor=asker, action="helpdesk.case.opened", obj=case,
              changes={"channel": case.channel, "request_type": case.request_type, "recipient_request": request.pk})
    outbox_enqueue(task=send_case_confirmation, args=[case.pk])
    return case


def case_resolve_with_request(*, request, actor) -> None:
    """The request was answered in admin: its case is resolved too, noted for the agents (the
    request's own email told whoever asked)."""
    case = Case.objects.filter(recipient_request=request, status__in=OPEN_STATUSES).first()
    if case is None:
        return
    case = _transition(case, actor=actor, to=CaseStatus.RESOLVED, allowed_from=OPEN_STATUSES,
                       action="helpdesk.case.resolved", fields={"resolved_at": timezone.now()})
    status = rc.RequestStatus(request.status).label
    _message(case=case, actor=actor, kind=MessageKind.INTERNAL,
             body=f"{status} (request #{request.pk}). {request.note}".strip())
