"""Text messages through a pluggable backend: ``CVMS_SMS_BACKEND`` names a class with a
``send_messages(messages)`` method, as Django's email backends have. The development backend (the
default: no provider is needed) logs each message and keeps it, one JSON file per message in
``CVMS_SMS_DIR``, for the development mailbox and the tests; a provider's backend is one small class."""

import json
import logging
import re
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from cvms.core.phones import digits_only

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextMessage:
    to: str  # digits only
    body: str


class DevelopmentSmsBackend:
    """Logs each text message and keeps it in ``CVMS_SMS_DIR``."""

    def send_messages(self, messages: list[TextMessage]) -> int:
        folder = Path(settings.CVMS_SMS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            logger.info("Text message to %s: %s", message.to, message.body)
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.json"
            (folder / name).write_text(json.dumps({**asdict(message), "at": timezone.now().isoformat()}))
        return len(messages)


def sms_backend():
    return import_string(settings.CVMS_SMS_BACKEND)()


def sms_send(*, to: str, body: str) -> int:
    """Send one text message to a phone number (any common format)."""
    return sms_backend().send_messages([TextMessage(to=digits_only(to), body=body)])


def sms_render(template_name: str, context: dict, *, language: str) -> str:
    """A text message's body from a template, in ``language``, on one line (whitespace collapsed)."""
    with translation.override(language):
        return " ".join(render_to_string(template_name, context).split())


def sms_send_each(messages: dict, *, sent: list, failed: dict) -> None:
    """Send each ``key: (phone, build)`` message, noting each key in ``sent`` once the backend has
    taken it, or in ``failed`` with the reason: one that cannot be built or that the backend refuses
    is recorded and not tried again (a provider's refusal is its answer for that number), so one bad
    number never holds back the others."""
    backend = sms_backend()
    for key, (phone, build) in messages.items():
        try:
            backend.send_messages([TextMessage(to=digits_only(phone), body=build())])
        except Exception as exc:  # noqa: BLE001 -- any provider's error: recorded, never retried without end
            failed[key] = f"text not sent: {type(exc).__name__}: {str(exc)[:160]}"
            logger.warning("Text message %s was not sent (%s).", key, failed[key])
            continue
        sent.append(key)


_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9a-f]{8}\.json$")


def sms_kept(limit: int = 200) -> list[dict]:
    """The development backend's newest ``limit`` messages (to, body, at), newest first."""
    folder = Path(settings.CVMS_SMS_DIR)
    if not folder.exists():
        return []
    names = sorted((p.name for p in folder.iterdir() if _NAME.match(p.name)), reverse=True)[:limit]
    return [json.loads((folder / name).read_text()) for name in names]
