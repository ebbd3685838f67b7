"""Recipients: the rules that create and remove them, walk-ins registered at a location, and every
look-up of a recipient at check-in, audited (loads in bulk: ``bulk``; welcome emails: ``welcome``)."""

import datetime
import re
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.accounts.models import LOCATION_ROLES, Membership
from cvms.core.audit import audit_log, audited_update
from cvms.core.errors import ServiceError
from cvms.core.phones import digits_only, phone_check
from cvms.core.validators import is_mail_address
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.models import Location, Organization
from cvms.recipients import choices as c
from cvms.recipients.checkin_code import recipient_for_checkin_code
from cvms.recipients.models import Recipient
from cvms.recipients.names import alphabets_check, name_check, text_check
from cvms.recipients.search import SearchTerms, clean_query
from cvms.recipients.selectors import recipient_same_person, recipients_find

#: Who registers walk-ins and looks recipients up: everyone who works at a location (FAQ 13).
REGISTER_ROLES = LOCATION_ROLES
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


class DuplicateRecipient(ServiceError):
    """The same person is already registered; ``existing`` is their record when it is known."""

    def __init__(self, message="", field: str = "", existing: Recipient | None = None):
        super().__init__(message or _("A recipient with this name and date of birth already exists."), field)
        self.existing = existing


@contextmanager
def _one_row_per_person():
    """The database's refusal of a second row for the same person, raised as ``DuplicateRecipient``
    (the transaction inside has rolled back)."""
    try:
        yield
    except IntegrityError as exc:
        if "recipient_same_person_unique" in str(exc):
            raise DuplicateRecipient() from exc
        raise


def recipient_create(*, first_name: str, last_name: str, date_of_birth: datetime.date,
                     source: c.RecipientSource, created_by=None, **fields) -> Recipient:
    """Create a recipient; raise ``DuplicateRecipient`` if the same person already exists."""
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    with _one_row_per_person(), transaction.atomic():
        recipient = Recipient.objects.create(
            first_name=first_name.strip(), last_name=last_name.strip(), date_of_birth=date_of_birth,
            source=source, created_by=created_by, **fields,
        )
        if recipient.source_location_id:
            Location.objects.filter(pk=recipient.source_location_id).update(
                loaded_recipient_count=F("loaded_recipient_count") + 1
            )
        audit_log(actor=created_by, action="registry.recipient.created", obj=recipient,
                  changes={"source": str(source)})
    return recipient


def recipient_update(*, recipient: Recipient, actor, **fields) -> dict:
    """Correct a recipient's details (a help desk request): the fields that differ are written and
    audited. Raises ``DuplicateRecipient`` if the corrected name and birth date are someone else's."""
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    for name in ("first_name", "last_name"):
        if name in fields:
            fields[name] = fields[name].strip()
    with _one_row_per_person(), transaction.atomic():
        return audited_update(recipient, fields=fields, actor=actor, action="registry.recipient.updated")


def recipient_preferences_set(*, recipient: Recipient, actor, email: str, phone: str, contact_preference: str,
                              preferred_language: str) -> str:
    """A recipient's own contact details and preferences (FAQ 31), audited through ``recipient_update``;
    the language is the account's too, so the site and its emails follow it. A new email is where
    mail goes and what the sign-in is made of, so it is proven first (``email_change``): it is not
    written here, a link is sent to it. Returns that address, or "" when none was asked for."""
    from cvms.accounts.logins import normalize_login
    from cvms.accounts.services import user_language_set
    from cvms.recipients.email_change import recipient_email_change_request

    email = (email or "").strip()
    asked = bool(recipient.user_id and email and normalize_login(email) != normalize_login(recipient.email))
    with transaction.atomic():
        recipient_update(recipient=recipient, actor=actor, email=recipient.email if asked else email, phone=phone,
                         contact_preference=contact_preference, preferred_language=preferred_language)
        if asked:
            email = recipient_email_change_request(recipient=recipient, new_email=email, actor=actor)
        if recipient.user_id:
            user_language_set(user=recipient.user, language=preferred_language, actor=actor)
    return email if asked else ""


def recipient_language_follow(*, user, language: str, actor) -> None:
    """The account's language is its recipient record's too, so the program's emails and texts
    follow the language switcher (registered with ``user_language_follow``)."""
    recipient = Recipient.objects.filter(user=user).exclude(preferred_language=language).first()
    if recipient is not None:
        audited_update(recipient, fields={"preferred_language": language}, actor=actor,
                       action="registry.recipient.updated")


def recipient_remove(*, recipient: Recipient, actor, reason: str) -> None:
    """Remove a loaded recipient who has no immunization record (a help desk request, or an
    employer's removal request done). A record with doses stays: it is the person's vaccination
    history. So does one with an appointment or a check-in, which a provider holds on to."""
    if not reason.strip():
        raise ServiceError(_("A reason is required to remove a recipient."))
    if recipient.immunizations.exists():
        raise ServiceError(_("A recipient with immunization records cannot be removed."))
    with transaction.atomic():
        audit_log(actor=actor, action="registry.recipient.removed", obj=recipient,
                  changes={"reason": reason, "name": str(recipient)})
        if recipient.source_location_id:
            Location.objects.filter(pk=recipient.source_location_id, loaded_recipient_count__gt=0).update(
                loaded_recipient_count=F("loaded_recipient_count") - 1
            )
        try:
            with transaction.atomic():
                recipient.delete()
        except ProtectedError as protected:
            if any(o._meta.model_name == "immunization" for o in protected.protected_objects):
                raise ServiceError(_("A recipient with immunization records cannot be removed.")) from None
            raise ServiceError(_("A recipient with appointments or check-ins cannot be removed: cancel them "
                                 "first.")) from None


# --- Walk-ins and look-ups at check-in

def _require_location_role(actor, location: Location) -> None:
    if not Membership.objects.active().filter(user=actor, location=location, role__in=REGISTER_ROLES).exists():
        raise ServiceError(_("Only the people who work at %(location)s may register and look up recipients there.")
                           % {"location": location.name})


_ZIP = re.compile(r"[0-9]{5}(-?[0-9]{4})?")


def _check_walk_in(*, date_of_birth, email: str, phone: str, county: str, zip_code: str, state: str, sex: str,
                   race: list[str], ethnicity: str, industry: str, preferred_language: str) -> dict:
    """The walk-in's details other than names and free text, checked and as stored."""
    if not isinstance(date_of_birth, datetime.date) or not EARLIEST_BIRTH <= date_of_birth <= timezone.localdate():
        raise ServiceError(_("Enter a date of birth between 1/1/1900 and today."), field="date_of_birth")
    email = (email or "").strip().lower()
    if email and not is_mail_address(email):
        raise ServiceError(_("Enter a valid email address, or leave it blank."), field="email")
    try:
        phone = phone_check(phone or "")
    except ValidationError as invalid:
        raise ServiceError(invalid.messages[0], field="phone") from None
    if settings.CVMS_COUNTIES and county and county not in settings.CVMS_COUNTIES:
        raise ServiceError(_("Choose the county from the list."), field="county")
    zip_code, state = (zip_code or "").strip(), (state or "").strip().upper()
    if zip_code and not _ZIP.fullmatch(zip_code):
        raise ServiceError(_("Enter a 5-digit ZIP code, or ZIP+4 as 27601-1234."), field="zip_code")
    if state and not re.fullmatch(r"[A-Z]{2}", state):
        raise ServiceError(_("Enter the state as two letters, for example NC."), field="state")
    coded = (("sex", [sex], c.Sex), ("race", race, c.Race), ("ethnicity", [ethnicity], c.Ethnicity),
             ("industry", [industry], c.Industry))
    for field, values, choices in coded:
        if not values or any(value not in choices.values for value in values):
            raise ServiceError(_("Choose from the list."), field=field)
    if preferred_language not in dict(settings.LANGUAGES):
        raise ServiceError(_("Choose English or Spanish."), field="preferred_language")
    return {"email": email, "phone": phone, "zip_code": zip_code, "state": state, "sex": sex,
            "race": list(dict.fromkeys(race)), "ethnicity": ethnicity, "industry": industry,
            "preferred_language": preferred_language}


def recipient_register_walk_in(*, location: Location, actor, first_name: str, last_name: str,
                               date_of_birth: datetime.date, sex: str, race: list[str], ethnicity: str,
                               industry: str, email: str = "", phone: str = "", address_line1: str = "",
                               address_line2: str = "", city: str = "", state: str = "", zip_code: str = "",
                               county: str = "", employer: Organization | None = None,
                               preferred_language: str = "en") -> Recipient:
    """Register a person who walked in at ``location`` (source: walk-in, audited). Legal names only,
    checked and stored in one spelling; email optional (FAQ 30); phone in any common form, stored as
    digits; employer optional with industry "Other" for a person not employed (FAQ 27). Raises
    ``DuplicateRecipient`` with the ``existing`` record when the same person (name and date of birth,
    whatever the case, width or look-alike letters) is already registered."""
    _require_location_role(actor, location)
    first_name = name_check(first_name, field="first_name", label=_("Legal first name"))
    last_name = name_check(last_name, field="last_name", label=_("Legal last name"))
    address = {
        "address_line1": text_check(address_line1, field="address_line1", label=_("Street address"), limit=200),
        "address_line2": text_check(address_line2, field="address_line2", label=_("Address line 2"), limit=200),
        "city": text_check(city, field="city", label=_("City"), limit=100),
        "county": text_check(county, field="county", label=_("County"), limit=100),
    }
    checked = _check_walk_in(date_of_birth=date_of_birth, email=email, phone=phone, county=address["county"],
                             zip_code=zip_code, state=state, sex=sex, race=race, ethnicity=ethnicity,
                             industry=industry, preferred_language=preferred_language)
    if employer is not None and employer.kind != OrganizationKind.EMPLOYER:
        raise ServiceError(_("Choose the employer from the list, or leave it blank."), field="employer")
    existing = recipient_same_person(first_name=first_name, last_name=last_name, date_of_birth=date_of_birth)
    if existing is not None:
        raise DuplicateRecipient(existing=existing)
    # After the duplicate check: a person already registered is offered even when typed with look-alikes.
    alphabets_check(first_name, field="first_name", label=_("Legal first name"))
    alphabets_check(last_name, field="last_name", label=_("Legal last name"))
    try:
        return recipient_create(
            first_name=first_name, last_name=last_name, date_of_birth=date_of_birth,
            source=c.RecipientSource.WALK_IN, created_by=actor, source_location=location, employer=employer,
            **address, **checked,
        )
    except DuplicateRecipient:  # registered by someone else a moment ago
        raise DuplicateRecipient(existing=recipient_same_person(
            first_name=first_name, last_name=last_name, date_of_birth=date_of_birth)) from None


def recipients_look_up(*, actor, location: Location, text: str) -> tuple[list[Recipient], SearchTerms]:
    """The check-in search over every recipient in the state, audited with what was typed and how
    many people it found. Results hold name, date of birth, city and county only."""
    _require_location_role(actor, location)
    found, terms = recipients_find(text)
    audit_log(actor=actor, action="registry.recipient.searched", obj=location,
              changes={"query": clean_query(text), "found": len(found)})
    return found, terms


def recipient_look_up_by_code(*, actor, location: Location, code: str) -> Recipient:
    """The recipient a scanned check-in code is for (``CheckInCodeRefused`` says why none), audited
    either way."""
    _require_location_role(actor, location)
    try:
        recipient = recipient_for_checkin_code(code)
    except ServiceError as refusal:
        audit_log(actor=actor, action="registry.recipient.code_refused", obj=location,
                  changes={"reason": str(refusal)})
        raise
    audit_log(actor=actor, action="registry.recipient.looked_up", obj=recipient,
              changes={"location": location, "via": "check-in code"})
    return recipient


def recipient_record_open(*, actor, location: Location, recipient: Recipient) -> Recipient:
    """Record that ``actor`` opened ``recipient``'s record at ``location``: every look-up of a record
    is in the audit log, whoever it is and however it was found."""
    audit_log(actor=actor, action="registry.recipient.viewed", obj=recipient, changes={"location": location})
    return recipient
