"""Self-registration (FAQ 29, a later phase the state switches on with ``CVMS_SELF_REGISTRATION``):
someone who signed up and proved their email gives their legal names and date of birth, and their
recipient record is created. When the same person is already on file (a walk-in, an upload), that
record must be claimed with a one-time code (``cvms.recipients.claims``): it is never linked to an
account just because the names and date of birth match."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.recipients import choices as c
from cvms.recipients.models import Recipient
from cvms.recipients.selectors import recipient_same_person
from cvms.recipients.services import DuplicateRecipient, recipient_create


class SelfRegistrationClosed(ServiceError):
    pass


class AlreadyOnFile(ServiceError):
    """The person is on file already: the record is to be claimed, not created again."""


def recipient_self_register(*, user, first_name: str, last_name: str, date_of_birth: datetime.date) -> Recipient:
    """Create the recipient record of a signed-up account whose email is proven, and make the
    account a recipient's. Raises ``AlreadyOnFile`` when the same person is on file."""
    from allauth.account.models import EmailAddress

    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant

    if not settings.CVMS_SELF_REGISTRATION:
        raise SelfRegistrationClosed(_("Registering on your own is not open yet."))
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        raise ServiceError(_("Confirm your email address first: open the link we sent to it."))
    if Recipient.objects.filter(user=user).exists():
        raise ServiceError(_("This account has a vaccine record already."))
    if recipient_same_person(first_name=first_name, last_name=last_name, date_of_birth=date_of_birth):
        raise AlreadyOnFile(_("You are registered already. Claim your record with a code sent to the email or "
                              "phone number on it."))
    try:
        with transaction.atomic():
            recipient = recipient_create(first_name=first_name, last_name=last_name, date_of_birth=date_of_birth,
                                         email=user.email, source=c.RecipientSource.SELF_REGISTRATION,
                                         created_by=user, preferred_language=user.preferred_language, user=user,
                                         portal_username=user.username)
            membership_grant(user=user, role=Role.RECIPIENT)
            audit_log(actor=user, action="registry.recipient.self_registered", obj=recipient,
                      changes={"username": user.username})
    except DuplicateRecipient:  # registered at the same moment by someone else
        raise AlreadyOnFile(_("You are registered already. Claim your record with a code sent to the email or "
                              "phone number on it.")) from None
    return recipient
