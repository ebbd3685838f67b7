"""Claiming a recipient record without a phone call: someone registered at a walk-in or by a
provider, who never set a password, gives their legal names and date of birth; a one-time code
goes to the email or phone on file (shown masked); once the code is proven they set a password.

No record is shown before the code is proven. Codes are single-use, expire after
``CVMS_CLAIM_CODE_MINUTES``, allow ``CVMS_CLAIM_CODE_ATTEMPTS`` tries, and are kept only as a keyed
hash. At most ``CVMS_CLAIM_CODES_PER_HOUR`` codes go to one record an hour. Every code checked
passes the sign-in lockout (``cvms.accounts.lockout``): a wrong code is a failed sign-in against
the record, and counts toward its client address's ceiling as a wrong password does."""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from cvms.accounts.lockout import SignInPaused, signin_attempt_begin, signin_attempt_failed, signin_attempt_passed
from cvms.accounts.logins import normalize_login
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.core.outbox import outbox_enqueue
from cvms.recipients import choices as c
from cvms.recipients.models import Recipient, RecipientClaim
from cvms.recipients.selectors import recipient_same_person

_SALT = "cvms.recipients.claims"
CODE_DIGITS = 6


class ClaimRefused(ServiceError):
    pass


@dataclass(frozen=True)
class ClaimStarted:
    claim_id: int
    channel: str
    masked: str  # where the code went, masked ("r***@example.com", "***-***-0100")


def mask_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(digits: str) -> str:
    return f"***-***-{digits[-4:]}"


def _code_hash(claim_id: int, code: str) -> str:
    return salted_hmac(_SALT, f"{claim_id}:{code}", algorithm="sha256").hexdigest()


def _channel(recipient: Recipient) -> str | None:
    """Text when the person asked for texts and a phone is on file, else email when one is, else text."""
    if recipient.phone and (recipient.contact_preference == c.ContactPreference.TEXT or not recipient.email):
        return RecipientClaim.Channel.TEXT
    if recipient.email:
        return RecipientClaim.Channel.EMAIL
    return None


def claim_begin(*, first_name: str, last_name: str, date_of_birth: datetime.date,
                client_ip: str | None) -> ClaimStarted:
    """Start a claim of the record with these legal names and date of birth, and queue its code.
    Raises ``ClaimRefused`` when no record without an account matches, when nothing is on file to
    send a code to, or when this record had its codes for the hour."""
    found = recipient_same_person(first_name=first_name, last_name=last_name, date_of_birth=date_of_birth)
    recipient = Recipient.objects.filter(pk=found.pk, user__isnull=True).first() if found else None
    if recipient is None:
        raise ClaimRefused(_("No record without an account matches that name and date of birth. Check the "
                             "spelling of your legal names, or sign in if you have an account."))
    channel = _channel(recipient)
    if channel is None:
        raise ClaimRefused(_("Your record has no email or phone number to send a code to. Please call the "
                             "help center to claim it."))
    now = timezone.now()
    with transaction.atomic():
        Recipient.objects.select_for_update().filter(pk=recipient.pk).first()  # codes counted one at a time
        recent = RecipientClaim.objects.filter(recipient=recipient, created_at__gte=now - datetime.timedelta(hours=1))
        if recent.count() >= settings.CVMS_CLAIM_CODES_PER_HOUR:
            raise ClaimRefused(_("A code was sent to this record several times in the last hour. Use the newest "
                                 "one, or try again later."))
        claim = RecipientClaim.objects.create(
            recipient=recipient, channel=channel, client_ip=client_ip,
            expires_at=now + datetime.timedelta(minutes=settings.CVMS_CLAIM_CODE_MINUTES))
        audit_log(integration="record claim", action="registry.recipient.claim_started", obj=recipient,
                  changes={"channel": channel, "client_ip": client_ip})
        from cvms.recipients.tasks import send_claim_code

        outbox_enqueue(task=send_claim_code, args=(claim.pk,))
    masked = mask_email(recipient.email) if channel == RecipientClaim.Channel.EMAIL else mask_phone(recipient.phone)
    return ClaimStarted(claim_id=claim.pk, channel=channel, masked=masked)


def claim_code_send(*, claim_id: int) -> bool:
    """Choose the claim's code, keep its hash and send it (once: a second run sends nothing).
    The code is never stored, so it is chosen here, by the task, and not carried in the queue."""
    from cvms.core.mail import send_templated_email
    from cvms.core.sms import sms_render, sms_send

    with transaction.atomic():
        claim = (RecipientClaim.objects.select_for_update().select_related("recipient")
                 .filter(pk=claim_id, code_hash="", expires_at__gt=timezone.now()).first())
        if claim is None:
            return False
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        RecipientClaim.objects.filter(pk=claim.pk).update(code_hash=_code_hash(claim.pk, code))
        recipient = claim.recipient
        context = {"code": code, "minutes": settings.CVMS_CLAIM_CODE_MINUTES, "recipient": recipient}
        if claim.channel == RecipientClaim.Channel.EMAIL:
            send_templated_email(template_prefix="recipients/email/claim_code", context=context,
                                 to=[recipient.email], language=recipient.preferred_language)
        else:
            sms_send(to=recipient.phone, body=sms_render("recipients/sms/claim_code.txt", context,
                                                         language=recipient.preferred_language))
    return True


def claim_code_prove(*, claim_id: int, code: str, client_ip: str | None) -> None:
    """Check the code of a claim. Raises ``ClaimRefused`` for a wrong, expired, used or
    exhausted code, and ``SignInPaused`` (from the lockout) when too many wrong codes or sign-ins
    came for this record or from this address."""
    login = normalize_login(f"claim:{_claim_recipient_id(claim_id)}")
    attempt = signin_attempt_begin(login=login, accounts=[], client_ip=client_ip)
    now = timezone.now()
    with transaction.atomic():
        claim = RecipientClaim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None or claim.used_at or claim.expires_at <= now or not claim.code_hash:
            signin_attempt_passed(attempt=attempt)  # nothing was guessed
            raise ClaimRefused(_("This code has expired or was already used. Ask for a new one."))
        if claim.attempts >= settings.CVMS_CLAIM_CODE_ATTEMPTS:
            signin_attempt_passed(attempt=attempt)
            raise ClaimRefused(_("Too many wrong codes. Ask for a new one."))
        if not constant_time_compare(claim.code_hash, _code_hash(claim.pk, code.strip())):
            RecipientClaim.objects.filter(pk=claim.pk).update(attempts=claim.attempts + 1)
            wrong = True
        else:
            RecipientClaim.objects.filter(pk=claim.pk).update(proven_at=now)
            audit_log(integration="record claim", action="registry.recipient.claim_proven", obj=claim.recipient,
                      changes={"channel": claim.channel, "client_ip": client_ip})
            wrong = False
    if wrong:
        signin_attempt_failed(attempt=attempt)  # raises SignInPaused when this one filled a budget
        raise ClaimRefused(_("That code is not right. Check the newest message and try again."))
    signin_attempt_passed(attempt=attempt)


def _claim_recipient_id(claim_id: int) -> int | str:
    return RecipientClaim.objects.filter(pk=claim_id).values_list("recipient_id", flat=True).first() or "none"


def access_proven_claim(*, claim_id: int | None) -> RecipientClaim:
    """A claim whose code was proven and that is still open (not used, not expired)."""
    claim = (RecipientClaim.objects.select_related("recipient")
             .filter(pk=claim_id or 0, proven_at__isnull=False, used_at__isnull=True,
                     expires_at__gt=timezone.now(), recipient__user__isnull=True).first())
    if claim is None:
        raise ClaimRefused(_("This claim has expired or is finished. Start again."))
    return claim


def claim_needs_email(claim: RecipientClaim) -> bool:
    """A record with no email on file (proven by text) gets one with its password: every account
    signs in with an email-based username and resets its password by email."""
    return not claim.recipient.email


def claim_complete(*, claim_id: int, password: str, email: str = ""):
    """Set the password of a proven claim: the record's account is created and the claim used.
    ``email`` is asked for only when the record has none (``claim_needs_email``); it is kept on
    the record and on the account, not yet proven."""
    from cvms.recipients.services import recipient_update
    from cvms.recipients.welcome import recipient_account_activate, recipient_username_choose

    with transaction.atomic():
        claim = access_proven_claim(claim_id=claim_id)
        if not RecipientClaim.objects.filter(pk=claim.pk, used_at__isnull=True).update(used_at=timezone.now()):
            raise ClaimRefused(_("This claim has expired or is finished. Start again."))
        recipient = claim.recipient
        email_proven = claim.channel == RecipientClaim.Channel.EMAIL
        if claim_needs_email(claim):
            if not email.strip():
                raise ClaimRefused(_("Enter your email address: you sign in with it."))
            recipient_update(recipient=recipient, actor=None, email=email.strip())
            email_proven = False
        recipient_username_choose(recipient=recipient)
        try:
            user = recipient_account_activate(recipient=recipient, password=password, email_proven=email_proven)
        except IntegrityError:
            raise ClaimRefused(_("This record already has an account. Sign in.")) from None
        audit_log(actor=user, action="registry.recipient.claimed", obj=recipient,
                  changes={"channel": claim.channel, "username": user.username})
    return user


def claim_link_account(*, claim_id: int, user):
    """A proven claim made by someone signed in whose account has no record yet (they signed up,
    then found they were on file): the record becomes their account's, and the claim is used."""
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant

    with transaction.atomic():
        claim = access_proven_claim(claim_id=claim_id)
        if Recipient.objects.filter(user=user).exists():
            raise ClaimRefused(_("This account has a vaccine record already."))
        if user.memberships.exists():  # staff and providers claim their own record signed out
            raise ClaimRefused(_("Sign out first: a record joins only an account that has no role."))
        if not RecipientClaim.objects.filter(pk=claim.pk, used_at__isnull=True).update(used_at=timezone.now()):
            raise ClaimRefused(_("This claim has expired or is finished. Start again."))
        Recipient.objects.filter(pk=claim.recipient_id, user__isnull=True).update(
            user=user, portal_username=claim.recipient.portal_username or user.username)
        membership_grant(user=user, role=Role.RECIPIENT)
        audit_log(actor=user, action="registry.recipient.claimed", obj=claim.recipient,
                  changes={"channel": claim.channel, "username": user.username, "account": "existing"})


__all__ = ["ClaimRefused", "ClaimStarted", "SignInPaused", "access_proven_claim", "claim_begin",
           "claim_code_prove", "claim_code_send", "claim_complete", "claim_link_account", "claim_needs_email"]
