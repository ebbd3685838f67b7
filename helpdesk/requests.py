"""A case for each request about a recipient record (``cvms.recipients.requests``): a recipient's
correction and an employer's removal reach the help desk's queues with a case number, and the
requester sees the case in My Lists. Staff act on the request itself (admin's "Requests about
recipient records", which corrects or removes the record and emails whoever asked); resolving it
resolves its case with an internal note, and no second email."""

from django.dispatch import receiver

from cvms.recipients.requests import request_opened, request_resolved
from helpdesk.services import case_open_for_request, case_resolve_with_request


@receiver(request_opened)
def _case_for_request(sender, request, **kwargs) -> None:
    case_open_for_request(request=request)


@receiver(request_resolved)
def _case_resolved_with_request(sender, request, actor, **kwargs) -> None:
    case_resolve_with_request(request=request, actor=actor)
