"""HCP User Onboarding and Recipient Bulk Upload through the help desk (issue 15, FAQ 21).

HCP User Onboarding: a provider files a case with the
HCP User Onboarding Template attached (Name, Email, Location PIN, Role); an agent processes it
with one click. Each usable row invites the person to hold the role at the location named by PIN
(an account with that address proven gets the role at once and is told; anyone else gets a link to
set a password), the rows that could not be used are reported as a file on the case, and the
requester is answered through the case's reply path. Running it again invites nobody twice.

Recipient Bulk Upload: a provider sends a recipient file of any number of rows for a location they
work at; it is kept as a back-end upload held for the agent (``cvms.uploads``), linked to the
case, and loaded by the worker when the agent releases it with one click."""

import csv
import io
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import PROVIDER_ROLES, Invitation, Membership
from cvms.accounts.services import invitation_send
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.core.spreadsheet import csv_bytes, xlsx_value
from cvms.core.validators import validate_mail_address
from cvms.organizations.models import Location
from cvms.uploads.models import UploadChannel
from cvms.uploads.parsing import FileRefused
from cvms.uploads.services.intake import upload_create, upload_release
from helpdesk.attachments import attachment_check, attachment_name
from helpdesk.models import Case, CaseAttachment, RequestType
from helpdesk.services import _agent_check, case_note, case_open, case_reply

#: The template's header row, in this order.
COLUMNS = ["Name", "Email", "Location PIN", "Role"]
ERROR_COLUMN = "Error"
ONBOARDING_TYPES = ("csv", "xlsx")
#: Blank rows a file may hold besides twice its allowance of people (spacing, trailing rows).
BLANK_LINES = 100


def onboarding_template_csv() -> bytes:
    return csv_bytes([COLUMNS])


def onboarding_template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("HCP users")
    sheet.append([xlsx_value(column) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fold(value) -> str:
    return " ".join(str(value if value is not None else "").split())


def _header_key(value) -> str:
    return _fold(value).casefold()


def onboarding_rows(handle, *, name: str) -> list[tuple[int, list[str]]]:
    """The template's rows as ``(line, [name, email, pin, role])`` (the header is line 1; blank rows
    are skipped). Raises ``ServiceError`` (field ``file``) for a file that is not the template: not
    CSV or XLSX, unreadable, another header row, no rows, or more than
    ``CVMS_ONBOARDING_MAX_ROWS``."""
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in ONBOARDING_TYPES:
        raise ServiceError(_("%(name)s is not the HCP User Onboarding Template: save it as .csv or .xlsx.")
                           % {"name": name}, field="file")
    handle.seek(0)
    try:
        table = _xlsx_rows(handle) if ext == "xlsx" else _csv_rows(handle)
        header = next(table, None)
        if header is None:
            raise ServiceError(_("%(name)s is empty.") % {"name": name}, field="file")
        if [_header_key(cell) for cell in header[:len(COLUMNS)]] != [c.casefold() for c in COLUMNS] \
                or any(_fold(cell) for cell in header[len(COLUMNS):]):
            raise ServiceError(_("The first row of %(name)s must be the template's header: %(columns)s. "
                                 "Download the template from this page and fill it in.")
                               % {"name": name, "columns": ", ".join(COLUMNS)}, field="file")
        rows, limit = [], settings.CVMS_ONBOARDING_MAX_ROWS
        for line, cells in enumerate(table, start=2):
            if line > 2 * limit + BLANK_LINES:  # blank rows cost reading too: a workbook can hold millions
                raise ServiceError(_("%(name)s has more rows than the %(max)d people a file may list; delete its "
                                     "empty rows or split it.") % {"name": name, "max": limit}, field="file")
            values = [_fold(cell) for cell in (list(cells) + [""] * len(COLUMNS))[:len(COLUMNS)]]
            if not any(values):
                continue
            if len(rows) >= limit:
                raise ServiceError(_("%(name)s lists more than %(max)d people; split it into files of %(max)d "
                                     "or fewer.") % {"name": name, "max": limit}, field="file")
            rows.append((line, values))
    except (UnicodeDecodeError, csv.Error, ValueError, KeyError, OSError):
        raise ServiceError(_("%(name)s could not be read. Save it again as .csv or .xlsx from the template.")
                           % {"name": name}, field="file") from None
    finally:
        handle.seek(0)
    if not rows:
        raise ServiceError(_("%(name)s lists nobody under the header row.") % {"name": name}, field="file")
    return rows


def _csv_rows(handle):
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text)
    finally:
        text.detach()


def _xlsx_rows(handle):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds for a file that is not a workbook)
        raise ValueError("not a workbook") from None
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def onboarding_case_open(*, actor, file, description: str, provider_organization: str = "",
                         language: str = "en") -> Case:
    """Open an HCP User Onboarding case with the template attached, once the file is checked: its
    type and size (as any attachment), its header row and its number of rows."""
    try:
        name, _content_type = attachment_check(file)
    except ServiceError as refusal:
        raise ServiceError(str(refusal), field="file") from None
    onboarding_rows(file, name=name)
    return case_open(actor=actor, channel="provider", request_type=RequestType.HCP_ONBOARDING,
                     description=description, provider_organization=provider_organization, language=language,
                     attachments=[file])


def onboarding_file(case: Case) -> CaseAttachment:
    """The template the case was filed with (its first file)."""
    attachment = case.attachments.filter(message=None).order_by("created_at", "id").first()
    if case.request_type != RequestType.HCP_ONBOARDING or attachment is None:
        raise ServiceError(_("Case %(number)s has no HCP User Onboarding file to process.") % {"number": case.number})
    return attachment


def _role(value: str):
    key = value.casefold().replace("_", " ")
    for role in PROVIDER_ROLES:
        if key in (str(role.label).casefold(), role.value.replace("_", " ")):
            return role
    return None


def _row_check(values: list[str]) -> tuple:
    """``(first name, last name, email, location, role)`` of a row, or ``ServiceError`` saying why not."""
    name, email, pin, role_name = values
    if not name:
        raise ServiceError(_("Name is missing."))
    try:
        validate_mail_address(email)
    except ValidationError as problem:
        raise ServiceError(_("Email: %(problem)s") % {"problem": problem.messages[0]}) from None
    folded_pin = "".join(pin.split()).upper()
    location = Location.objects.filter(provider_pin=folded_pin, is_active=True).select_related("organization").first()
    if location is None:
        raise ServiceError(_("Location PIN: no active location has the Provider PIN %(pin)s.") % {"pin": pin or "—"})
    role = _role(role_name)
    if role is None:
        raise ServiceError(_("Role: %(role)s is not a provider location role (%(roles)s).") % {
            "role": role_name or "—", "roles": ", ".join(sorted(str(r.label) for r in PROVIDER_ROLES))})
    first, _space, last = name.partition(" ")
    return first, last, normalize_login(email), location, role


def _already(*, email: str, location, role) -> bool:
    """The person holds the role there, or an invitation to it is still open: nothing to send."""
    held = Membership.objects.active().filter(user__username=email, role=role, location=location).exists()
    return held or Invitation.objects.filter(email=email, role=role, location=location, accepted_at__isnull=True,
                                             revoked_at__isnull=True, expires_at__gt=timezone.now()).exists()


def onboarding_process(*, case: Case, actor) -> dict:
    """Process the case's template (audited): invite each person in a usable row, keep the unusable
    rows with their reasons in a file on the case (an internal note carries it), and answer the
    requester. Returns the counts: ``invited``, ``unchanged`` (already held or invited), ``failed``."""
    _agent_check(actor)
    if not case.is_open:
        raise ServiceError(_("Case %(number)s is %(status)s: it cannot be changed that way.") % {
            "number": case.number, "status": case.get_status_display()}, field="status")
    attachment = onboarding_file(case)
    with attachment.file.open("rb") as handle:
        rows = onboarding_rows(handle, name=attachment.name)
    counts, failed, seen = {"invited": 0, "unchanged": 0, "failed": 0}, [], {}
    for line, values in rows:
        try:
            first, last, email, location, role = _row_check(values)
            key = (email, location.pk, role)
            if key in seen:
                raise ServiceError(_("The same person, location and role are on line %(line)d.") % {"line": seen[key]})
            seen[key] = line
            if _already(email=email, location=location, role=role):
                counts["unchanged"] += 1
                continue
            with transaction.atomic():
                invitation_send(email=email, role=role, location=location, first_name=first, last_name=last,
                                language=case.language, actor=actor)
            counts["invited"] += 1
        except (ServiceError, ValidationError, DatabaseError) as problem:
            reason = str(problem) if isinstance(problem, ServiceError) else _("This row could not be saved.")
            failed.append([*values, _("Line %(line)d: %(reason)s") % {"line": line, "reason": reason}])
    counts["failed"] = len(failed)
    _outcome(case=case, actor=actor, counts=counts, failed=failed)
    return counts


def _outcome(*, case: Case, actor, counts: dict, failed: list) -> None:
    summary = _("HCP User Onboarding: %(invited)s invited, %(unchanged)s already held the role or were invited, "
                "%(failed)s rows could not be used.") % counts
    with transaction.atomic():
        note = case_note(case=case, actor=actor, body=summary)
        if failed:
            report = CaseAttachment(case=case, message=note, name=f"{case.number}-rows-not-used.csv",
                                    content_type="text/csv", uploaded_by=actor)
            content = csv_bytes([[*COLUMNS, ERROR_COLUMN], *failed])
            report.size = len(content)
            report.file.save(report.name, ContentFile(content), save=False)
            report.save()
        audit_log(actor=actor, action="helpdesk.case.onboarding_processed", obj=case,
                  changes={**counts, "report": report.pk if failed else None})
        reply = ngettext("We processed your HCP User Onboarding file: %(invited)s person was emailed an invitation.",
                         "We processed your HCP User Onboarding file: %(invited)s people were emailed an invitation.",
                         counts["invited"]) % counts
        if failed:
            reply += " " + ngettext("%(failed)s row could not be used; the agent will write to you about it.",
                                    "%(failed)s rows could not be used; the agent will write to you about them.",
                                    counts["failed"]) % counts
        case_reply(case=case, actor=actor, body=reply)


def recipient_upload_case_open(*, actor, location, file, description: str, provider_organization: str = "",
                               language: str = "en") -> Case:
    """Open a Recipient Bulk Upload case for ``location`` (where ``actor`` holds a provider role)
    with the file kept as a held back-end upload: any number of rows, the portal's byte cap."""
    if location is None or not Location.objects.for_user(actor, roles=PROVIDER_ROLES).filter(pk=location.pk).exists():
        raise ServiceError(_("Choose a location you work at."), field="location")
    name = attachment_name(getattr(file, "name", ""))
    with transaction.atomic():
        try:
            upload = upload_create(file=file, filename=name, channel=UploadChannel.BACKEND, location=location,
                                   uploaded_by=actor, held=True)
        except FileRefused as refusal:
            raise ServiceError(str(refusal), field="file") from None
        return case_open(actor=actor, channel="provider", request_type=RequestType.RECIPIENT_BULK_UPLOAD,
                         description=description, provider_organization=provider_organization, language=language,
                         location=location, upload=upload)


def recipient_upload_load(*, case: Case, actor) -> Case:
    """Queue the case's recipient file for the worker (audited, once), note it and tell the requester."""
    _agent_check(actor)
    if not case.is_open:
        raise ServiceError(_("Case %(number)s is %(status)s: it cannot be changed that way.") % {
            "number": case.number, "status": case.get_status_display()}, field="status")
    if case.request_type != RequestType.RECIPIENT_BULK_UPLOAD or case.upload is None:
        raise ServiceError(_("Case %(number)s has no recipient file to load.") % {"number": case.number})
    with transaction.atomic():
        if not upload_release(upload=case.upload, actor=actor):
            raise ServiceError(_("The recipient file of case %(number)s is %(status)s: it is not waiting to be "
                                 "loaded.") % {"number": case.number, "status": case.upload.get_status_display()})
        audit_log(actor=actor, action="helpdesk.case.upload_released", obj=case, changes={"upload": case.upload_id})
        case_note(case=case, actor=actor, body=_("Recipient file %(name)s queued for loading.")
                  % {"name": case.upload.original_name})
        case_reply(case=case, actor=actor, body=_("We are loading your recipient file %(name)s. You will be emailed "
                                                  "its results when it is done.") % {"name": case.upload.original_name})
    case.refresh_from_db()
    return case
