"""The Recipient Portal shows a recipient only their own record."""

from django.http import Http404

from cvms.recipients.models import Recipient


def access_recipient_by_user(user) -> Recipient:
    try:
        return Recipient.objects.get(user=user)
    except Recipient.DoesNotExist:
        raise Http404("No recipient record is linked to this account.") from None
