"""Welcome emails for recipients loaded by a provider or employer: their portal username and a
one-time link to set their password, in their language, sent in batches over one connection."""

import datetime
import json
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import User
from cvms.core import links
from cvms.core.audit import audit_log
from cvms.core.links import link_url
from cvms.core.mail import render_email
from cvms.core.outbox import outbox_enqueue_many
from cvms.core.validators import is_mail_address
from cvms.recipients import choices as c
from cvms.recipients.checkin_code import EMAIL_IMAGE_ID, checkin_code_attach
from cvms.recipients.models import Recipient

BATCH = 500
_SALT = "cvms.registry.welcome"  # as first issued: links already sent stay valid


class WelcomeLinkInvalid(Exception):
    pass


class WelcomeLinkExpired(WelcomeLinkInvalid):
    pass


class WelcomeLinkUsed(WelcomeLinkInvalid):
    pass


def queue_welcome_emails(recipient_ids: Iterable[int]) -> None:
    """Queue the welcome emails in batches, recorded in the caller's transaction and sent once it
    commits: if the process dies right after the commit, the outbox relay still sends them."""
    from cvms.recipients.tasks import send_welcome_emails

    ids = list(recipient_ids)
    outbox_enqueue_many(task=send_welcome_emails, calls=[((ids[start:start + BATCH],), {})
                                                         for start in range(0, len(ids), BATCH)])


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


def _choose_usernames(recipients: list[Recipient]) -> None:
    """Give each recipient without one a unique portal username (in memory): email + suffix,
    numbered (…2, …3) when several recipients share an email."""
    suffix = settings.CVMS_RECIPIENT_USERNAME_SUFFIX
    by_base = defaultdict(list)
    for recipient in recipients:
        if not recipient.portal_username:
            by_base[normalize_login(f"{recipient.email}{suffix}")].append(recipient)
    if not by_base:
        return
    taken = set(Recipient.objects.filter(portal_username__in=by_base).values_list("portal_username", flat=True))
    taken |= set(User.objects.filter(username__in=by_base).values_list("username", flat=True))
    crowded = [b for b, rs in by_base.items() if b in taken or len(rs) > 1]
    for base in crowded:
        taken |= set(Recipient.objects.filter(portal_username__startswith=base).values_list("portal_username",
                                                                                              flat=True))
    for base, group in by_base.items():
        number = 1
        for recipient in group:
            name = base
            while name in taken:
                number += 1
                name = f"{base}{number}"
            taken.add(name)
            recipient.portal_username = name


def recipient_username_choose(*, recipient: Recipient) -> None:
    """Give a recipient without a portal username one (kept on the row; the caller holds a
    transaction): their email followed by the suffix, as a welcome email would."""
    if recipient.portal_username:
        return
    _choose_usernames([recipient])
    Recipient.objects.filter(pk=recipient.pk, portal_username__isnull=True).update(
        portal_username=recipient.portal_username)


_FIELDS = ("id", "first_name", "last_name", "email", "preferred_language", "portal_username")


def _claim(recipient_ids: list[int]) -> list[Recipient]:
    """Take the recipients still waiting for their email (pending, with an email, not taken by
    another sender) and mark them *sending*, with their usernames, in one transaction."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                recipients = list(
                    Recipient.objects.filter(pk__in=recipient_ids, welcome_email_status=c.WelcomeEmailStatus.PENDING)
                    .exclude(email="").select_for_update(skip_locked=True).only(*_FIELDS)
                )
                if not recipients:
                    return []
                _choose_usernames(recipients)
                # One UPDATE joined to the new names: bulk_update's CASE WHEN over 500 ids takes
                # longer to build and plan than the rest of the batch's database work together.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {Recipient._meta.db_table} AS r SET portal_username = new.name, "  # noqa: S608
                        "welcome_email_status = %s, welcome_email_claimed_at = %s "
                        "FROM unnest(%s::bigint[], %s::text[]) AS new(id, name) WHERE r.id = new.id",
                        [c.WelcomeEmailStatus.SENDING, timezone.now(),
                         [r.pk for r in recipients], [r.portal_username for r in recipients]],
                    )
            return recipients
        except IntegrityError:  # another sender took one of the same usernames first
            if attempt == 2:
                raise
    return []


class _WelcomeLetter:
    """The welcome email rendered once per language and batch, with a marker where each
    recipient's own values go; each message fills them in (escaped in the HTML part). Rendering
    three templates per message would take most of a sender's time."""

    _OWN = ("first_name", "last_name", "portal_username", "set_password_url")
    _LINK_MARK = "welcome-link-token"  # where each link's own token goes

    def __init__(self, language: str):
        self.language = language
        marks = {name: f"\ue000{index}\ue001" for index, name in enumerate(self._OWN)}
        self.marks = list(marks.values())
        context = {"recipient": SimpleNamespace(**marks), "set_password_url": marks["set_password_url"],
                   "portal_url": link_url(links.RECIPIENT_HOME),
                   "helpdesk_url": link_url(links.HELP_CENTER),
                   "link_days": settings.CVMS_WELCOME_LINK_DAYS,
                   "recipient_phone": settings.CVMS_RECIPIENT_HELP_PHONE,
                   "checkin_code_src": f"cid:{EMAIL_IMAGE_ID}"}
        self.subject, self.text, self.html = render_email("recipients/email/welcome", context, language=language)
        self.link = link_url(links.RECIPIENT_WELCOME, self._LINK_MARK)

    def message(self, recipient: Recipient) -> EmailMultiAlternatives:
        link = self.link.replace(self._LINK_MARK, welcome_token(recipient))
        own = (recipient.first_name, recipient.last_name, recipient.portal_username, link)
        text, html = self.text, self.html
        for mark, value in zip(self.marks, own, strict=True):
            text = text.replace(mark, value)
            html = html.replace(mark, escape(value))
        message = EmailMultiAlternatives(subject=self.subject, body=text, to=[recipient.email])
        message.attach_alternative(html, "text/html")
        checkin_code_attach(message, recipient)
        return message


def _failure(recipient: Recipient, letter: _WelcomeLetter, mail) -> list | None:
    """Send one recipient's letter over ``mail``; ``None`` once the server has taken it, or why it
    never will: an address the mail layer cannot encode, or one the server refuses for good (5xx).
    A refusal for now (4xx) or a dropped connection raises, for the task's retry."""
    if not is_mail_address(recipient.email):
        return ["invalid_address", {"value": recipient.email}]
    try:
        mail.send_messages([letter.message(recipient)])
    except (ValueError, UnicodeError) as exc:  # raised while the message is built and encoded
        return ["unbuildable", {"error": _reply_text(exc)}]
    except smtplib.SMTPRecipientsRefused as refusal:
        code, reply = next(iter(refusal.recipients.values()))
        if code < 500:
            raise
        return ["refused", {"reply": f"{code} {_reply_text(reply)}"}]
    except smtplib.SMTPDataError as refusal:
        if refusal.smtp_code < 500:
            raise
        return ["refused", {"reply": f"{refusal.smtp_code} {_reply_text(refusal.smtp_error)}"}]
    return None


def _reply_text(reply) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return text.replace("\x00", "")[:300]


def welcome_emails_send(*, recipient_ids: list[int]) -> int:
    """Send the welcome email to each recipient still waiting for one; returns the number sent.

    Each recipient is claimed first, so two runs never send the same email, and marked sent as
    soon as the server has taken their message: if a connection drops mid-batch, the ones sent
    stay sent and the rest go back to pending for the retry. A recipient whose message cannot be
    built or whose address the server refuses for good is marked failed, with the reason, and
    the batch goes on. The batch goes out over ``CVMS_WELCOME_SMTP_CONNECTIONS`` connections at
    once: one builds a message while another waits for the server's replies.
    """
    recipients = _claim(recipient_ids)
    if not recipients:
        return 0
    letters = {language: _WelcomeLetter(language) for language in {r.preferred_language for r in recipients}}
    sent: list[int] = []
    failed: dict[int, list] = {}

    def send(share: list[Recipient]) -> None:
        with get_connection() as mail:
            for recipient in share:
                failure = _failure(recipient, letters[recipient.preferred_language], mail)
                if failure is None:
                    sent.append(recipient.pk)
                else:
                    failed[recipient.pk] = failure

    lanes = max(1, min(settings.CVMS_WELCOME_SMTP_CONNECTIONS, len(recipients)))
    try:
        with ThreadPoolExecutor(lanes, thread_name_prefix="welcome-smtp") as pool:
            for done in [pool.submit(send, recipients[lane::lanes]) for lane in range(lanes)]:
                done.result()  # the first failure, once every lane has stopped
    finally:
        Recipient.objects.filter(pk__in=sent).update(
            welcome_email_status=c.WelcomeEmailStatus.SENT, welcome_email_sent_at=timezone.now(),
            welcome_email_claimed_at=None, welcome_email_failure=None)
        _mark_failed(failed)
        done = set(sent) | set(failed)
        Recipient.objects.filter(pk__in=[r.pk for r in recipients if r.pk not in done],
                                 welcome_email_status=c.WelcomeEmailStatus.SENDING).update(
            welcome_email_status=c.WelcomeEmailStatus.PENDING, welcome_email_claimed_at=None)
    return len(sent)


def _mark_failed(failed: dict[int, list]) -> None:
    """Each recipient failed with their own reason, in one statement."""
    if not failed:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Recipient._meta.db_table} AS r SET welcome_email_status = %s, welcome_email_claimed_at = NULL, "  # noqa: S608
            "welcome_email_failure = why.failure FROM unnest(%s::bigint[], %s::jsonb[]) AS why(id, failure) "
            "WHERE r.id = why.id",
            [c.WelcomeEmailStatus.FAILED, list(failed), [json.dumps(f) for f in failed.values()]],
        )


def welcome_emails_mark_failed(*, recipient_ids: list[int]) -> None:
    Recipient.objects.filter(pk__in=recipient_ids, welcome_email_status=c.WelcomeEmailStatus.PENDING).update(
        welcome_email_status=c.WelcomeEmailStatus.FAILED, welcome_email_failure=["unreachable", {}]
    )


def welcome_emails_requeue(*, stuck_after: datetime.timedelta, lost_after: datetime.timedelta) -> int:
    """Queue again what no sender will finish: emails left *sending* by a worker that died, and
    emails pending long after they were queued (the queued task was lost). The claim keeps a
    task queued twice from sending twice. Returns the number of recipients queued."""
    now = timezone.now()
    stuck = Q(welcome_email_status=c.WelcomeEmailStatus.SENDING, welcome_email_claimed_at__lt=now - stuck_after)
    lost = Q(welcome_email_status=c.WelcomeEmailStatus.PENDING) & (
        Q(welcome_email_claimed_at__isnull=True, created_at__lt=now - lost_after)
        | Q(welcome_email_claimed_at__lt=now - lost_after))
    return _requeue(Recipient.objects.filter(stuck | lost), welcome_email_status=c.WelcomeEmailStatus.PENDING)


def welcome_emails_queue_due() -> int:
    """Queue the welcome emails made due by a first dose (``immunization_record`` marks them in the
    dose's own statement rather than queue one task per dose). Returns the number queued."""
    return _requeue(Recipient.objects.filter(welcome_email_status=c.WelcomeEmailStatus.DUE),
                    welcome_email_status=c.WelcomeEmailStatus.PENDING)


def welcome_emails_requeue_loaded(*, since: datetime.datetime, location=None, employer=None) -> int:
    """Queue again the welcome emails of recipients loaded at ``location`` (or for ``employer``)
    since ``since`` that still wait and were never taken by a sender: called when a load is
    resumed after its worker died, which may have taken their queued tasks with it. The claim
    keeps a task queued twice from sending twice. Returns the number of recipients queued."""
    loaded = (Recipient.objects.loaded_at(location) if location is not None
              else Recipient.objects.filter(employer=employer, source_location=None))
    return _requeue(loaded.filter(welcome_email_status=c.WelcomeEmailStatus.PENDING,
                                  welcome_email_claimed_at__isnull=True, created_at__gte=since))


def _requeue(waiting, **also) -> int:
    """Queue again the recipients ``waiting`` (the first 100,000 by id), stamped as queued now, with
    ``also`` written on them: the lost-email rule counts from now, and the next requeue leaves
    them to the task queued here. Returns the number queued."""
    with transaction.atomic():
        ids = list(waiting.order_by("id").values_list("id", flat=True)[:100_000])
        Recipient.objects.filter(pk__in=ids).update(welcome_email_claimed_at=timezone.now(), **also)
        queue_welcome_emails(ids)
    return len(ids)


def welcome_email_resend(*, recipient: Recipient, client_ip: str | None = None) -> bool:
    """Queue a fresh welcome email (a new link) for a recipient who has not set a password yet, at
    most once per ``CVMS_WELCOME_RESEND_MINUTES`` however often anyone asks (anyone may, without
    signing in): the wait is kept on the recipient's row, so it holds without Redis. Returns
    whether a link was queued; each one is audited with the address that asked."""
    now = timezone.now()
    waited = now - datetime.timedelta(minutes=settings.CVMS_WELCOME_RESEND_MINUTES)
    with transaction.atomic():
        updated = (Recipient.objects.filter(pk=recipient.pk, user__isnull=True).exclude(email="")
                   .filter(Q(welcome_link_requested_at__isnull=True) | Q(welcome_link_requested_at__lte=waited))
                   .update(welcome_email_status=c.WelcomeEmailStatus.PENDING, welcome_link_requested_at=now))
        if not updated:
            return False
        audit_log(integration="welcome link request", action="registry.recipient.welcome_resent",
                  obj=recipient, changes={"client_ip": client_ip})
        queue_welcome_emails([recipient.pk])
    return True


def recipient_account_activate(*, recipient: Recipient, password: str, email_proven: bool = True):
    """Create the recipient's portal login from their welcome link (once). ``email_proven`` is
    false when the address on file was never sent anything (a claim proven by text)."""
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant, user_create

    with transaction.atomic():
        locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if locked.user_id:
            raise WelcomeLinkUsed(locked.portal_username)
        fields = {"email": locked.email, "username": locked.portal_username, "password": password,
                  "first_name": locked.first_name, "last_name": locked.last_name,
                  "preferred_language": locked.preferred_language}
        try:
            with transaction.atomic():
                user = user_create(verified=email_proven, **fields)
        except IntegrityError:
            # Recipients may share an email (a family): allauth keeps one *verified* address per
            # email, so the next one's is stored unverified. They sign in with their username.
            user = user_create(verified=False, **fields)
        membership_grant(user=user, role=Role.RECIPIENT)
        Recipient.objects.filter(pk=locked.pk).update(user=user)
        audit_log(actor=user, action="registry.recipient.account_activated", obj=locked,
                  changes={"username": user.username})
    return user
