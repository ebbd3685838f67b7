"""An agent acts on the recipient a case concerns, from the case: links the case to the record,
corrects the record or removes it. The record changes only through the recipients' own services
(``recipient_update``, ``recipient_remove``, ``recipient_request_resolve``), which audit it; the case
is audited too and keeps an internal note of what was done, so the next agent reads the history."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.recipients import choices as rc
from cvms.recipients.models import Recipient
from cvms.recipients.requests import recipient_request_resolve
from cvms.recipients.services import recipient_remove, recipient_update
from helpdesk.models import OPEN_STATUSES, Case, MessageKind
from helpdesk.services import _agent_check, _message

#: What an agent may correct on a record from a case (the person's identity, contact and address;
#: where the record came from and its portal login stay with the services that own them).
CORRECTABLE = ["first_name", "last_name", "date_of_birth", "sex", "email", "phone", "address_line1",
               "address_line2", "city", "state", "zip_code", "county"]


def _open_case(case: Case) -> Case:
    """The case, locked, while it is open: a closed or resolved case is history."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in OPEN_STATUSES:
        raise ServiceError(_("Case %(number)s is resolved or closed: records are changed from open cases only.")
                           % {"number": case.number})
    return case


def _recipient(case: Case) -> Recipient:
    if case.recipient_id is None:
        raise ServiceError(_("Case %(number)s concerns no recipient yet: choose the recipient on the case first.")
                           % {"number": case.number}, field="recipient")
    return Recipient.objects.select_for_update().get(pk=case.recipient_id)


def case_recipient_link(*, case: Case, actor, recipient: Recipient | None) -> Case:
    """Say which recipient the case concerns (or none), audited."""
    _agent_check(actor)
    with transaction.atomic():
        case = _open_case(case)
        before = case.recipient_id
        Case.objects.filter(pk=case.pk).update(recipient=recipient, updated_at=timezone.now())
        audit_log(actor=actor, action="helpdesk.case.recipient_linked", obj=case,
                  changes={"recipient": [before, recipient.pk if recipient else None]})
    case.refresh_from_db()
    return case


def case_recipient_correct(*, case: Case, actor, fields: dict) -> list[str]:
    """Correct the case's recipient through ``recipient_update`` (audited there with old and new
    values) and note on the case which fields changed. Returns their names."""
    _agent_check(actor)
    unknown = set(fields) - set(CORRECTABLE)
    if unknown:
        raise ServiceError(_("These fields are not corrected from a case: %(fields)s.")
                           % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        case = _open_case(case)
        recipient = _recipient(case)
        changed = [name for name, value in fields.items() if getattr(recipient, name) != value]
        if not changed:
            raise ServiceError(_("Nothing was changed: the record already reads so."))
        recipient_update(recipient=recipient, actor=actor, **{name: fields[name] for name in changed})
        labels = ", ".join(str(Recipient._meta.get_field(name).verbose_name) for name in changed)
        _message(case=case, actor=actor, kind=MessageKind.INTERNAL,
                 body=_("Recipient record corrected: %(fields)s.") % {"fields": labels})
        audit_log(actor=actor, action="helpdesk.case.recipient_corrected", obj=case,
                  changes={"recipient": recipient.pk, "fields": changed})
    return changed


def case_recipient_remove(*, case: Case, actor) -> None:
    """Remove the case's recipient through ``recipient_remove`` (never a record with doses,
    appointments or check-ins). A case that follows an employer's removal request marks that
    request done instead, which removes the record, emails the coordinator and resolves the case."""
    _agent_check(actor)
    with transaction.atomic():
        case = _open_case(case)
        request = case.recipient_request
        if (request is not None and request.kind == rc.RequestKind.REMOVAL
                and request.status == rc.RequestStatus.OPEN):
            recipient_request_resolve(request=request, actor=actor, status=rc.RequestStatus.DONE,
                                      note=_("The record was removed (case %(number)s).") % {"number": case.number})
            return
        recipient = _recipient(case)
        name = str(recipient)
        recipient_remove(recipient=recipient, actor=actor, reason=f"help desk case {case.number}")
        _message(case=case, actor=actor, kind=MessageKind.INTERNAL,
                 body=_("Recipient %(name)s removed.") % {"name": name})
        audit_log(actor=actor, action="helpdesk.case.recipient_removed", obj=case, changes={"recipient": name})
