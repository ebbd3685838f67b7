"""Email. ``send_templated_email`` renders a subject/text/HTML triplet and sends it; in development
``MailboxBackend`` keeps every message as an .eml file that /dev/mail/ shows."""

import email
import email.policy
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cvms.core.context_processors import helpdesk_hours


def jurisdiction_context() -> dict:
    """What every email may name: the jurisdiction, where to get help (hours in the active
    language), who signs, the site."""
    return {
        "jurisdiction": settings.CVMS_JURISDICTION_NAME, "helpdesk_phone": settings.CVMS_HELPDESK_PHONE,
        "helpdesk_hours": helpdesk_hours(), "branch": settings.CVMS_STATE_BRANCH_NAME,
        "department": settings.CVMS_DEPARTMENT_NAME, "site_url": settings.SITE_URL,
    }


def render_email(template_prefix: str, context: dict, *, language: str = "en") -> tuple[str, str, str]:
    """Render ``<prefix>_subject.txt``, ``<prefix>.txt`` and ``<prefix>.html`` in ``language``,
    with ``jurisdiction_context()`` under the caller's context; ``LANGUAGE_CODE`` is the email's
    language, so its HTML says which it is (``<html lang>``) to screen readers."""
    with translation.override(language):
        context = {**jurisdiction_context(), "LANGUAGE_CODE": translation.get_language(), **context}
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"{template_prefix}.txt", context)
        html = render_to_string(f"{template_prefix}.html", context)
    return subject, text, html


def build_email(
    *, template_prefix: str, context: dict, to: list[str], language: str = "en", attachments=()
) -> EmailMultiAlternatives:
    subject, text, html = render_email(template_prefix, context, language=language)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message


def send_templated_email(**kwargs) -> int:
    return build_email(**kwargs).send()


def send_many(messages: list[EmailMultiAlternatives]) -> int:
    """Send several messages over one connection."""
    with get_connection() as connection:
        return connection.send_messages(messages)


class MailboxBackend(BaseEmailBackend):
    """Development backend: one .eml file per message in ``CVMS_MAILBOX_DIR``."""

    def send_messages(self, email_messages):
        folder = Path(settings.CVMS_MAILBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
        return len(email_messages)


_MAILBOX_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9a-f]{8}\.eml$")


def mailbox_names() -> list[str]:
    """Every kept message's file name, newest first."""
    folder = Path(settings.CVMS_MAILBOX_DIR)
    if not folder.exists():
        return []
    return sorted((p.name for p in folder.iterdir() if _MAILBOX_NAME.match(p.name)), reverse=True)


def mailbox_summaries(names) -> list[dict]:
    folder = Path(settings.CVMS_MAILBOX_DIR)
    return [_summary(folder / name) for name in names]


def mailbox_messages(limit: int = 200) -> list[dict]:
    """The newest ``limit`` messages (subject, recipient, date)."""
    return mailbox_summaries(mailbox_names()[:limit])


def mailbox_message(name: str) -> dict | None:
    if not _MAILBOX_NAME.match(name):
        return None
    path = Path(settings.CVMS_MAILBOX_DIR) / name
    if not path.exists():
        return None
    summary = _summary(path)
    parsed = summary.pop("parsed")
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    summary["text"] = text.get_content() if text else ""
    summary["html"] = html.get_content() if html else ""
    summary["attachments"] = [part.get_filename() for part in parsed.iter_attachments()]
    return summary


def _summary(path: Path) -> dict:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return {
        "name": path.name,
        "subject": str(parsed["subject"] or ""),
        "to": str(parsed["to"] or ""),
        "date": str(parsed["date"] or ""),
        "parsed": parsed,
    }
