"""Welcome emails for recipients loaded by a provider or employer: their portal username and a
one-time link to set their password, in their language, sent in batches over one connection."""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.models import User
from cvms.core.mail import build_email, send_many
from cvms.registry import choices as c
from cvms.registry.models import Recipient

BATCH = 500
_SALT = "cvms.registry.welcome"


class WelcomeLinkInvalid(Exception):
    pass


class WelcomeLinkExpired(WelcomeLinkInvalid):
    pass


class WelcomeLinkUsed(WelcomeLinkInvalid):
    pass


def queue_welcome_emails(recipient_ids: Iterable[int]) -> None:
    """Queue the welcome emails once the caller's transaction commits, in batches."""
    from cvms.registry.tasks import send_welcome_emails

    ids = list(recipient_ids)

    def enqueue():
        for start in range(0, len(ids), BATCH):
            send_welcome_emails.delay(ids[start:start + BATCH])

    transaction.on_commit(enqueue)


def welcome_token(recipient: Recipient) -> str:
    return signing.dumps({"r": recipient.pk, "u": recipient.portal_username}, salt=_SALT, compress=True)


def recipient_for_welcome_token(token: str) -> Recipient:
    """The recipient a welcome link is for; raises if the link is forged, expired or used."""
    max_age = settings.CVMS_WELCOME_LINK_DAYS * 86400
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired:
        data = signing.loads(token, salt=_SALT)
        recipient = Recipient.objects.filter(pk=data.get("r")).first()
        raise WelcomeLinkExpired(recipient.portal_username if recipient else "") from None
    except signing.BadSignature:
        raise WelcomeLinkInvalid("") from None
    recipient = Recipient.objects.filter(pk=data.get("r"), portal_username=data.get("u")).first()
    if recipient is None:
        raise WelcomeLinkInvalid("")
    if recipient.user_id:
        raise WelcomeLinkUsed(recipient.portal_username)
    return recipient


def _assign_usernames(recipients: list[Recipient]) -> None:
    """Give each recipient a unique portal username: email + suffix, numbered (…2, …3) when
    several recipients share an email."""
    suffix = settings.CVMS_RECIPIENT_USERNAME_SUFFIX
    by_base = defaultdict(list)
    for recipient in recipients:
        if not recipient.portal_username:
            by_base[f"{recipient.email.lower()}{suffix}"].append(recipient)
    if not by_base:
        return
    taken = set(Recipient.objects.filter(portal_username__in=by_base).values_list("portal_username", flat=True))
    taken |= set(User.objects.filter(username__in=by_base).values_list("username", flat=True))
    crowded = [b for b, rs in by_base.items() if b in taken or len(rs) > 1]
    for base in crowded:
        taken |= set(Recipient.objects.filter(portal_username__startswith=base).values_list("portal_username",
                                                                                              flat=True))
    changed = []
    for base, group in by_base.items():
        number = 1
        for recipient in group:
            name = base
            while name in taken:
                number += 1
                name = f"{base}{number}"
            taken.add(name)
            recipient.portal_username = name
            changed.append(recipient)
    # One UPDATE joined to the new names: bulk_update's CASE WHEN over 500 ids takes longer to
    # build and plan than the rest of the batch's database work together.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Recipient._meta.db_table} AS r SET portal_username = new.name "  # noqa: S608 (values are parameters)
            "FROM unnest(%s::bigint[], %s::text[]) AS new(id, name) WHERE r.id = new.id",
            [[r.pk for r in changed], [r.portal_username for r in changed]],
        )


def welcome_emails_send(*, recipient_ids: list[int]) -> int:
    """Send the welcome email to each recipient still waiting for one; returns the number sent.

    Safe to run twice: only recipients whose status is pending are sent to.
    """
    for attempt in range(3):
        recipients = list(
            Recipient.objects.filter(pk__in=recipient_ids, welcome_email_status=c.WelcomeEmailStatus.PENDING)
            .exclude(email="").only("id", "first_name", "last_name", "email", "preferred_language", "portal_username")
        )
        try:
            with transaction.atomic():
                _assign_usernames(recipients)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    if not recipients:
        return 0
    portal_url = settings.SITE_URL + reverse("recipient_portal:home")
    helpdesk_url = settings.SITE_URL + reverse("helpdesk:home")
    messages = []
    for recipient in recipients:
        link = settings.SITE_URL + reverse("recipient_portal:welcome", args=[welcome_token(recipient)])
        messages.append(build_email(
            template_prefix="registry/email/welcome",
            to=[recipient.email],
            language=recipient.preferred_language,
            context={"recipient": recipient, "set_password_url": link, "portal_url": portal_url,
                     "helpdesk_url": helpdesk_url, "link_days": settings.CVMS_WELCOME_LINK_DAYS,
                     "jurisdiction": settings.CVMS_JURISDICTION_NAME,
                     "recipient_phone": settings.CVMS_RECIPIENT_HELP_PHONE,
                     "department": settings.CVMS_DEPARTMENT_NAME},
        ))
    sent = send_many(messages)
    Recipient.objects.filter(pk__in=[r.pk for r in recipients]).update(
        welcome_email_status=c.WelcomeEmailStatus.SENT, welcome_email_sent_at=timezone.now()
    )
    return sent


def welcome_emails_mark_failed(*, recipient_ids: list[int]) -> None:
    Recipient.objects.filter(pk__in=recipient_ids, welcome_email_status=c.WelcomeEmailStatus.PENDING).update(
        welcome_email_status=c.WelcomeEmailStatus.FAILED
    )


def welcome_email_resend(*, recipient: Recipient) -> None:
    """Queue a fresh welcome email (a new link) for a recipient who has not set a password yet."""
    if recipient.user_id or not recipient.email:
        return
    Recipient.objects.filter(pk=recipient.pk).update(welcome_email_status=c.WelcomeEmailStatus.PENDING)
    queue_welcome_emails([recipient.pk])


def recipient_account_activate(*, recipient: Recipient, password: str):
    """Create the recipient's portal login from their welcome link (once)."""
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant, user_create
    from cvms.core.audit import audit_log

    with transaction.atomic():
        locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if locked.user_id:
            raise WelcomeLinkUsed(locked.portal_username)
        fields = {"email": locked.email, "username": locked.portal_username, "password": password,
                  "first_name": locked.first_name, "last_name": locked.last_name,
                  "preferred_language": locked.preferred_language}
        try:
            with transaction.atomic():
                user = user_create(verified=True, **fields)
        except IntegrityError:
            # Recipients may share an email (a family): allauth keeps one *verified* address per
            # email, so the next one's is stored unverified. They sign in with their username.
            user = user_create(verified=False, **fields)
        membership_grant(user=user, role=Role.RECIPIENT)
        Recipient.objects.filter(pk=locked.pk).update(user=user)
        audit_log(actor=user, action="registry.recipient.account_activated", obj=locked,
                  changes={"username": user.username})
    return user
