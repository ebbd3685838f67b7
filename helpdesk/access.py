"""The only way the help desk's pages fetch cases: a requester sees their own, and nobody else's
(404). Agents work cases in admin."""

from django.shortcuts import get_object_or_404

from helpdesk.models import REQUESTER_VISIBLE, Case, CaseAttachment


def cases_for_requester(user):
    return Case.objects.for_requester(user)


def access_case_by_requester(user, case_number: str) -> Case:
    return get_object_or_404(cases_for_requester(user), number=case_number)


def access_attachment_by_requester(user, case_number: str, attachment_id: int) -> CaseAttachment:
    """An attachment of the requester's own case, sent with the case or a message they can read."""
    case = access_case_by_requester(user, case_number)
    return get_object_or_404(
        case.attachments.filter(message__isnull=True) | case.attachments.filter(message__kind__in=REQUESTER_VISIBLE),
        pk=attachment_id)


def access_loaded_recipient_for_provider(user, recipient_id) -> tuple:
    """A recipient loaded at a location where ``user`` works, with that location: what a provider
    may ask the help desk to remove (404 for anyone else's, or an id that is not a number)."""
    from django.http import Http404

    from cvms.organizations.models import Location
    from cvms.recipients.models import Recipient

    text = str(recipient_id or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Http404("No such recipient.")
    recipient = get_object_or_404(Recipient.objects.select_related("source_location"), pk=int(text),
                                  source_location__in=Location.objects.for_user(user))
    return recipient, recipient.source_location


def locations_for_provider(user):
    """The locations a provider may send a recipient file for: where they hold a provider role."""
    from cvms.accounts.models import PROVIDER_ROLES
    from cvms.organizations.models import Location

    return Location.objects.for_user(user, roles=PROVIDER_ROLES).order_by("name")
