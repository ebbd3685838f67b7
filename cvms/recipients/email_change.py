"""Changing a recipient's email (FAQ 31), which is where the program's mail goes and what their
sign-in is made of. The new address is proven first: a link is sent to it, and until the recipient
opens it (signed in as themselves) nothing changes. Then, in one transaction, the record's email,
the account's email and username change, and the old address is told. The username follows the
email the way it was made: ``email`` + ``CVMS_RECIPIENT_USERNAME_SUFFIX`` (numbered when the new
email's is taken, as for a family sharing one), or the bare email for someone who signed up with it
(the suffixed form when another account holds it). Another recipient who shares the old email (a
family) keeps it, and their own sign-in.

The link carries the recipient, the old and the new address, signed: once the email has changed,
the old address no longer matches, so a link works once, and a link to an address asked for before
another change is out of date."""

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import User
from cvms.core import links
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.core.mail import send_templated_email
from cvms.core.outbox import outbox_enqueue
from cvms.core.validators import is_mail_address
from cvms.recipients.models import Recipient

_SALT = "cvms.recipients.email_change"
#: How long the link sent to a new address works.
LINK_DAYS = 3


class EmailChangeLinkInvalid(ServiceError):
    """A forged or garbled link."""


class EmailChangeLinkGone(EmailChangeLinkInvalid):
    """An expired link, one used already, or one sent before another change."""


class EmailChangeLinkNotYours(EmailChangeLinkInvalid):
    """A link for another account than the one signed in."""


class EmailChangeUsernameTaken(EmailChangeLinkInvalid):
    """Another account took the username the new email gives at the same moment; the link still works."""


def recipient_email_change_request(*, recipient: Recipient, new_email: str, actor) -> str:
    """Send a link to ``new_email`` that proves it (after the caller's transaction commits); nothing
    else changes. Returns the address as it will be kept."""
    from cvms.recipients.tasks import send_email_change_mail

    new_email = normalize_login(new_email)
    if not is_mail_address(new_email):
        raise ServiceError(_("Enter a valid email address."), field="email")
    if new_email == normalize_login(recipient.email):
        raise ServiceError(_("This is the email on file already."), field="email")
    if not recipient.user_id:
        raise ServiceError(_("Only a recipient with an account changes their email here."))
    audit_log(actor=actor, action="registry.recipient.email_change_requested", obj=recipient,
              changes={"email": [recipient.email, new_email]})
    outbox_enqueue(task=send_email_change_mail, args=[CONFIRM, recipient.pk, new_email])
    return new_email


def email_change_token(*, recipient: Recipient, new_email: str) -> str:
    return signing.dumps({"r": recipient.pk, "old": recipient.email, "new": new_email}, salt=_SALT, compress=True)


def email_change_for_token(*, token: str, user) -> tuple[Recipient, str]:
    """The recipient of ``user`` and the new address a link proves; raises ``EmailChangeLinkInvalid``."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_DAYS * 86400)
    except signing.SignatureExpired:
        raise EmailChangeLinkGone(_("This link has expired. Ask for a new one on your preferences page.")) from None
    except signing.BadSignature:
        raise EmailChangeLinkInvalid(_("This link is not valid.")) from None
    recipient = Recipient.objects.filter(pk=data.get("r"), user=user).first()
    if recipient is None:
        raise EmailChangeLinkNotYours(_("This link is for another account. Sign in as the person who asked for it."))
    if recipient.email != data.get("old"):
        raise EmailChangeLinkGone(_("This link was used already, or your email changed since it was sent."))
    return recipient, data["new"]


def email_change_username(*, user: User, old_email: str, new_email: str) -> str:
    """The username that follows the new email the way the current one followed the old (the
    record's or the account's email): bare, or with the suffix and a number; any other stays."""
    suffix = settings.CVMS_RECIPIENT_USERNAME_SUFFIX
    olds = {normalize_login(old_email), normalize_login(user.email)} - {""}
    new, current = normalize_login(new_email), user.username
    if current in olds and not User.objects.filter(username=new).exclude(pk=user.pk).exists():
        return new
    if current not in olds and not any(current.startswith(normalize_login(f"{old}{suffix}")) for old in olds):
        return current
    base = name = normalize_login(f"{new}{suffix}")
    number = 1
    while (User.objects.filter(username=name).exclude(pk=user.pk).exists()
           or Recipient.objects.filter(portal_username=name).exclude(user=user).exists()):
        number += 1
        name = f"{base}{number}"
    return name


def recipient_email_change_confirm(*, token: str, user) -> Recipient:
    """Make the proven address the record's and the account's, with the username following it, and
    tell the old address (after commit). Audited."""
    from cvms.accounts.services import address_proven
    from cvms.recipients.tasks import send_email_change_mail

    with transaction.atomic():
        recipient, new_email = email_change_for_token(token=token, user=user)
        locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if locked.email != recipient.email:  # the same link opened twice at once: the first one wins
            raise EmailChangeLinkGone(_("This link was used already, or your email changed since it was sent."))
        recipient = locked
        account = User.objects.select_for_update().get(pk=user.pk)
        old_email, old_username = recipient.email, account.username
        username = email_change_username(user=account, old_email=old_email, new_email=new_email)
        try:
            with transaction.atomic():
                Recipient.objects.filter(pk=recipient.pk).update(email=new_email, portal_username=username)
                User.objects.filter(pk=account.pk).update(email=new_email, username=username)
        except IntegrityError:  # another account confirmed the same new email at this moment
            raise EmailChangeUsernameTaken(_("Another account took that username just now. Open the link again: "
                                             "you will be given the next one.")) from None
        account.email, account.username = new_email, username
        address_proven(user=account, email=new_email, how="email_change")
        _old_addresses_dropped(user=account, new_email=new_email)
        audit_log(actor=user, action="registry.recipient.email_changed", obj=recipient,
                  changes={"email": [old_email, new_email], "username": [old_username, username]})
        if old_email:
            outbox_enqueue(task=send_email_change_mail, args=[CHANGED, recipient.pk, old_email])
        recipient.refresh_from_db()
    user.email, user.username = new_email, username
    return recipient


def _old_addresses_dropped(*, user: User, new_email: str) -> None:
    """The new address is the account's only one (verified, unless an account of another kind holds
    it verified: see ``address_proven``), so the sign-in and password resets follow it alone."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).exclude(email=new_email).delete()
    EmailAddress.objects.update_or_create(user=user, email=new_email, defaults={"primary": True},
                                          create_defaults={"primary": True, "verified": False})


#: The two emails of a change: the link to the new address, the notice to the old one.
CONFIRM, CHANGED = "confirm", "changed"


def email_change_mail_send(*, kind: str, recipient_id: int, address: str) -> int:
    """``CONFIRM``: the link that proves ``address``, the new one. ``CHANGED``: tell ``address``, the
    old one, that the account's email changed and who to call if that was not its owner."""
    recipient = Recipient.objects.select_related("user").get(pk=recipient_id)
    context = {"recipient": recipient}
    if kind == CONFIRM:
        token = email_change_token(recipient=recipient, new_email=address)
        context.update(confirm_url=links.link_url(links.RECIPIENT_EMAIL_CONFIRM, token), days=LINK_DAYS)
    else:
        context.update(new_email=recipient.email, username=recipient.user.username if recipient.user else "",
                       help_phone=settings.CVMS_RECIPIENT_HELP_PHONE)
    return send_templated_email(template_prefix=f"recipients/email/email_change_{kind}", to=[address],
                                context=context, language=recipient.preferred_language)
