"""What a case attachment may be: a size under ``CVMS_CASE_ATTACHMENT_MAX_BYTES``, a type of
``CVMS_CASE_ATTACHMENT_TYPES`` by its name and by its content (a renamed program is refused), and a
name that is safe to give back on download."""

import os
import unicodedata

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from cvms.core.errors import ServiceError

#: Types the text check stands for: no binary signature, and readable as UTF-8 text.
TEXT_TYPES = {"csv": "text/csv", "txt": "text/plain"}
#: Types whose content carries a signature, with the one ``filetype`` must find.
SIGNED_TYPES = {"pdf": "pdf", "png": "png", "jpg": "jpg", "jpeg": "jpg", "gif": "gif", "xlsx": "xlsx",
                "docx": "docx", "xls": "xls", "doc": "doc", "zip": "zip"}
_SNIFF_BYTES = 8192
MAX_NAME = 120


def attachment_name(raw: str) -> str:
    """The file's own name as kept and given back: NFKC, no folders, no characters a file system or
    a header would read as something else, at most ``MAX_NAME`` characters (the extension kept)."""
    base = os.path.basename(unicodedata.normalize("NFKC", (raw or "").replace("\\", "/")))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    try:
        name = get_valid_filename(base)
    except Exception:  # noqa: BLE001 (Django raises SuspiciousFileOperation for "", "." and "..")
        name = ""
    stem, ext = os.path.splitext(name)
    if len(name) > MAX_NAME:
        name = stem[:MAX_NAME - len(ext)] + ext
    return name or "attachment"


def attachment_check(upload) -> tuple[str, str]:
    """The safe name and the content type of an uploaded file, or a ``ServiceError`` naming the file
    and what is wrong with it."""
    name = attachment_name(getattr(upload, "name", ""))
    limit = settings.CVMS_CASE_ATTACHMENT_MAX_BYTES
    if getattr(upload, "oversized", False) or upload.size > limit:
        raise ServiceError(_("%(name)s is %(size)s; the limit is %(max)s.") % {
            "name": name, "size": filesizeformat(upload.size), "max": filesizeformat(limit)}, field="attachments")
    if not upload.size:
        raise ServiceError(_("%(name)s is empty.") % {"name": name}, field="attachments")
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    allowed = settings.CVMS_CASE_ATTACHMENT_TYPES
    refused = ServiceError(_("%(name)s is not a file type the help desk accepts (%(types)s).") % {
        "name": name, "types": ", ".join(allowed)}, field="attachments")
    if ext not in allowed:
        raise refused
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    found = filetype.guess(head)
    if ext in TEXT_TYPES:
        if found is not None or b"\x00" in head or not _utf8_start(head):
            raise refused
        return name, TEXT_TYPES[ext]
    if ext not in SIGNED_TYPES or found is None or found.extension != SIGNED_TYPES[ext]:
        raise refused
    return name, found.mime


def _utf8_start(head: bytes) -> bool:
    """Text: the first bytes decode as UTF-8 (a character cut at the end of the sample is fine)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as problem:
        return problem.start >= len(head) - 3
    return True
