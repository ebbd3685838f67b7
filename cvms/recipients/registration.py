"""The COVID-19 Vaccination Registration form a recipient completes in the Recipient Portal: their
demographic details, address, phone, employer and industry, and the health questions. Checked by
the walk-in rules, saved and audited; editable again at any time (FAQ 31)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.models import Organization
from cvms.recipients import choices as c
from cvms.recipients.models import HealthScreening, Recipient
from cvms.recipients.names import alphabets_check, name_check, text_check
from cvms.recipients.services import DuplicateRecipient, _check_walk_in, recipient_update

#: The immunization status of a given dose (``cvms.immunizations``, which this app may not import).
_COMPLETED_DOSE = "completed"


def registration_identity_locked(recipient: Recipient) -> bool:
    """Legal name and date of birth are on the vaccination record and the health card once a dose
    is given: from then on only staff change them, on a request for a correction."""
    return recipient.immunizations.filter(status=_COMPLETED_DOSE).exists()


def _required(value: str, *, field: str, label: str) -> str:
    if not value:
        raise ServiceError(_("Enter the %(label)s.") % {"label": label.lower()}, field=field)
    return value


def _check_health(answers: dict) -> dict:
    unknown = set(answers) - set(c.HEALTH_QUESTIONS)
    if unknown:
        raise ServiceError(_("Answer the health questions from the list."), field=sorted(unknown)[0])
    for name in c.HEALTH_QUESTIONS:
        if answers.get(name) not in c.HealthAnswer.values:
            raise ServiceError(_("Answer yes, no or prefer not to say."), field=name)
    return {name: answers[name] for name in c.HEALTH_QUESTIONS}


def _name(stored: str, typed: str, *, field: str, label: str) -> str:
    """A name as the form sent it; the one on file passes as it is (an upload may have stored a
    name the front desk rules would refuse, and the person must still be able to register)."""
    if (typed or "").strip() == stored:
        return stored
    return name_check(typed, field=field, label=label)


def _check_identity(recipient: Recipient, *, first_name: str, last_name: str, date_of_birth) -> dict:
    wanted = {"first_name": _name(recipient.first_name, first_name, field="first_name", label=_("Legal first name")),
              "last_name": _name(recipient.last_name, last_name, field="last_name", label=_("Legal last name")),
              "date_of_birth": date_of_birth}
    changed = [name for name, value in wanted.items() if getattr(recipient, name) != value]
    if changed and registration_identity_locked(recipient):
        raise ServiceError(_("Your legal name and date of birth are on your vaccination record. To change them, "
                             "request a correction."), field=changed[0])
    for name, label in (("first_name", _("Legal first name")), ("last_name", _("Legal last name"))):
        if name in changed:
            alphabets_check(wanted[name], field=name, label=label)
    return wanted


def _employer_named(recipient: Recipient, name: str) -> Organization | None:
    """The employer a recipient typed: none when blank; the one the record names already (an
    organization that uploaded the person, whatever its kind); else one of the state's employers of
    that name. The form takes a name rather than listing every employer in the state to everyone."""
    name = " ".join(text_check(name, field="employer", label=_("Employer"), limit=200).split())
    if not name:
        return None
    if recipient.employer_id and recipient.employer.name.casefold() == name.casefold():
        return recipient.employer
    employer = Organization.objects.filter(kind=OrganizationKind.EMPLOYER, name__iexact=name).order_by("pk").first()
    if employer is None:
        raise ServiceError(_("We do not find this employer among the state's employers. Check the name as your "
                             "employer writes it, or leave it blank."), field="employer")
    return employer


def recipient_registration_complete(*, recipient: Recipient, actor, first_name: str, last_name: str,
                                    date_of_birth: datetime.date, sex: str, race: list[str], ethnicity: str,
                                    address_line1: str, address_line2: str = "", city: str, state: str,
                                    zip_code: str, county: str, phone: str = "",
                                    employer: str = "", industry: str,
                                    health: dict[str, str]) -> dict:
    """Save ``recipient``'s registration form: every field checked (naming the field it refuses),
    the record updated through ``recipient_update``, the health answers kept in their own row, and
    ``registered_at`` set the first time only. Audited; returns the record's changed fields."""
    identity = _check_identity(recipient, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth)
    address = {
        "address_line1": _required(text_check(address_line1, field="address_line1", label=_("Street address"),
                                              limit=200), field="address_line1", label=_("Street address")),
        "address_line2": text_check(address_line2, field="address_line2", label=_("Address line 2"), limit=200),
        "city": _required(text_check(city, field="city", label=_("City"), limit=100), field="city", label=_("City")),
        "county": _required(text_check(county, field="county", label=_("County"), limit=100), field="county",
                            label=_("County")),
    }
    _required((state or "").strip(), field="state", label=_("State"))
    _required((zip_code or "").strip(), field="zip_code", label=_("ZIP code"))
    checked = _check_walk_in(date_of_birth=date_of_birth, email="", phone=phone,
                             county=address["county"], zip_code=zip_code, state=state, sex=sex, race=race,
                             ethnicity=ethnicity, industry=industry, preferred_language=recipient.preferred_language)
    employer = _employer_named(recipient, employer)
    answers = _check_health(health)
    fields = {**identity, **address, "employer": employer,
              **{name: checked[name] for name in ("phone", "zip_code", "state", "sex", "race", "ethnicity",
                                                  "industry")}}
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
        first_time = recipient.registered_at is None
        if first_time:
            fields["registered_at"] = timezone.now()
        try:
            changed = recipient_update(recipient=recipient, actor=actor, **fields)
        except DuplicateRecipient:
            raise ServiceError(_("Another record has this name and date of birth. If it is yours, call the help "
                                 "center to join the two."), field="date_of_birth") from None
        _health_answers_save(recipient=recipient, actor=actor, answers=answers)
        audit_log(actor=actor, action="registry.recipient.registered" if first_time else
                  "registry.recipient.registration_updated", obj=recipient, changes={"fields": sorted(changed)})
    return changed


def _health_answers_save(*, recipient: Recipient, actor, answers: dict) -> None:
    """The answers replace earlier ones. The audit log names the questions whose answer changed,
    never the answers: health details are for the people who vaccinate."""
    earlier = HealthScreening.objects.filter(recipient=recipient).first()
    changed = [name for name in answers if earlier is None or getattr(earlier, name) != answers[name]]
    HealthScreening.objects.update_or_create(recipient=recipient,
                                             defaults={**answers, "answered_at": timezone.now()})
    if changed:
        audit_log(actor=actor, action="registry.recipient.health_answered", obj=recipient,
                  changes={"questions": changed})
