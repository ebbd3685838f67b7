"""Rules of the provider agreement: drafting, submission, the state's review, approval into the
registry, and amendments. Views, admin and tests all come through here.

A version moves DRAFT -> SUBMITTED -> APPROVED, or SUBMITTED -> RETURNED -> SUBMITTED ..., or
SUBMITTED -> REJECTED. Each move is one conditional UPDATE, so two reviewers clicking at once
cannot both decide; each is audit-logged and emailed to the organization's administrators.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import Membership, Role
from cvms.accounts.services import invitation_send, membership_grant
from cvms.core.audit import audit_log, diff_fields
from cvms.core.outbox import outbox_enqueue
from cvms.organizations import choices as rc
from cvms.organizations import services as registry
from cvms.organizations.models import Location
from enrollment.conditions import CONDITION_CODES
from enrollment.models import (
    EDITABLE,
    LOCATION_CONTACTS,
    ORGANIZATION_CONTACTS,
    Agreement,
    AgreementVersion,
    Contact,
    ContactRole,
    VersionKind,
    VersionLocation,
    VersionStatus,
    VersionStorageUnit,
)

ADDRESS_FIELDS = ["address_line1", "address_line2", "city", "state", "zip_code", "county"]
SECTION_A_FIELDS = ["legal_name", "provider_type", *ADDRESS_FIELDS, "phone", "conditions"]
LOCATION_FIELDS = ["name", "location_type", *ADDRESS_FIELDS, "phone", "hours", "population_served"]
UNIT_FIELDS = ["name", "kind", "min_temp_c", "max_temp_c", "has_data_logger"]
CONTACT_FIELDS = ["first_name", "last_name", "title", "email", "phone"]

_REQUIRED_ADDRESS = ["address_line1", "city", "state", "zip_code", "county"]
_SECTION_A_REQUIRED = ["legal_name", "provider_type", *_REQUIRED_ADDRESS, "phone"]
_LOCATION_REQUIRED = ["name", "location_type", *_REQUIRED_ADDRESS, "phone", "hours", "population_served"]
#: Signers give their title; coordinators need not.
_CONTACT_REQUIRED = {
    ContactRole.CHIEF_MEDICAL_OFFICER: ["first_name", "last_name", "title", "email", "phone"],
    ContactRole.CHIEF_EXECUTIVE_OFFICER: ["first_name", "last_name", "title", "email", "phone"],
    ContactRole.PRIMARY_COORDINATOR: ["first_name", "last_name", "email", "phone"],
    ContactRole.BACKUP_COORDINATOR: ["first_name", "last_name", "email", "phone"],
}


class EnrollmentError(Exception):
    """A rule refused the change; the message is for the person who asked, ``field`` the form
    field it is about, if one."""

    def __init__(self, message, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Problem:
    """Something submission needs. ``where`` is "Section A" or a location's name; ``field`` is
    the form field (``<role>-<field>`` for a contact, "" for the whole section)."""

    where: str
    field: str
    message: str
    beside_field: str = ""  # shorter text shown next to the field itself

    def __str__(self):
        return f"{self.where}: {self.message}"


# --- Starting and drafting

def agreement_start(*, user, legal_name: str, provider_type: rc.ProviderType) -> Agreement:
    """An Organization Administrator starts an enrollment: a pending organization they
    administer, its agreement and a draft version 1."""
    if not legal_name.strip():
        raise EnrollmentError(_("Enter the organization's legal name."))
    with transaction.atomic():
        kind = (rc.OrganizationKind.LOCAL_HEALTH_DEPARTMENT if provider_type == rc.ProviderType.LOCAL_HEALTH_DEPARTMENT
                else rc.OrganizationKind.HEALTHCARE_PROVIDER)
        organization = registry.organization_create(name=legal_name, kind=kind, provider_type=provider_type,
                                                    actor=user)
        membership_grant(user=user, role=Role.ORG_ADMIN, organization=organization, actor=user)
        agreement = Agreement.objects.create(organization=organization, created_by=user)
        AgreementVersion.objects.create(agreement=agreement, number=1, kind=VersionKind.ENROLLMENT,
                                        legal_name=legal_name.strip(), provider_type=provider_type)
        audit_log(actor=user, action="enrollment.agreement.started", obj=agreement,
                  changes={"version": 1, "legal_name": legal_name.strip(), "provider_type": str(provider_type)})
    return agreement


def _check_editable(version: AgreementVersion) -> None:
    if version.status not in EDITABLE:
        raise EnrollmentError(_("This version is %(status)s and can no longer be changed.")
                              % {"status": version.get_status_display().lower()})


def _save_contacts(version, version_location, contacts: dict, actor) -> dict:
    changes = {}
    for role, data in contacts.items():
        data = {name: (data.get(name) or "").strip() for name in CONTACT_FIELDS}
        data["phone"] = registry.digits_only(data["phone"])
        data["email"] = data["email"].lower()
        contact, _created = Contact.objects.get_or_create(version=version, version_location=version_location,
                                                          role=role)
        changed = diff_fields(contact, data)
        if changed:
            Contact.objects.filter(pk=contact.pk).update(**data)
            changes.update({f"{role}.{name}": value for name, value in changed.items()})
    return changes


def section_a_save(*, version: AgreementVersion, fields: dict, contacts: dict, actor) -> dict:
    """Save Section A as it is (a draft may be incomplete); returns what changed."""
    fields = {name: fields[name] for name in SECTION_A_FIELDS if name in fields}
    if "phone" in fields:
        fields["phone"] = registry.digits_only(fields["phone"])
    with transaction.atomic():
        # Compare with the stored row (a bound ModelForm has already changed ``version`` in memory),
        # locked so a reviewer's decision cannot slip in between the check and the write.
        stored = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        _check_editable(stored)
        changes = diff_fields(stored, fields)
        if changes:
            AgreementVersion.objects.filter(pk=version.pk).update(updated_at=timezone.now(), **fields)
            for name, value in fields.items():
                setattr(version, name, value)
        changes.update(_save_contacts(version, None, contacts, actor))
        if changes:
            audit_log(actor=actor, action="enrollment.section_a.saved", obj=version, changes=changes)
    return changes


def location_save(*, version: AgreementVersion, version_location: VersionLocation | None = None, fields: dict,
                  contacts: dict, units: list[dict], actor) -> VersionLocation:
    """Save one Section B location with its storage units (``units``: dicts of ``UNIT_FIELDS``
    plus ``id`` for an existing unit and ``delete``) and its coordinators."""
    fields = {name: fields[name] for name in LOCATION_FIELDS if name in fields}
    if "phone" in fields:
        fields["phone"] = registry.digits_only(fields["phone"])
    with transaction.atomic():
        _check_editable(AgreementVersion.objects.select_for_update().get(pk=version.pk))
        if version_location is None:
            version_location = VersionLocation.objects.create(version=version, **fields)
            changes = {"created": version_location.name}
        else:
            stored = VersionLocation.objects.get(pk=version_location.pk)  # not the form-changed instance
            changes = diff_fields(stored, fields)
            if changes:
                VersionLocation.objects.filter(pk=version_location.pk).update(**fields)
                for name, value in fields.items():
                    setattr(version_location, name, value)
        changes.update(_save_units(version_location, units))
        changes.update(_save_contacts(version, version_location, contacts, actor))
        if changes:
            audit_log(actor=actor, action="enrollment.location.saved", obj=version, changes={
                "location": version_location.name, **changes})
    return version_location


def _save_units(version_location: VersionLocation, units: list[dict]) -> dict:
    changes = {}
    for unit in units:
        existing = version_location.storage_units.filter(pk=unit.get("id")).first() if unit.get("id") else None
        if unit.get("delete"):
            if existing is not None:
                if existing.storage_unit_id:
                    raise EnrollmentError(_("%(name)s is an approved storage unit: it stays on the agreement.")
                                          % {"name": existing.name})
                existing.delete()
                changes[f"unit {existing.name}"] = "removed"
            continue
        data = {name: unit[name] for name in UNIT_FIELDS}
        if data["min_temp_c"] >= data["max_temp_c"]:
            raise EnrollmentError(_("%(name)s: the minimum temperature must be below the maximum.")
                                  % {"name": data["name"]})
        if existing is None:
            VersionStorageUnit.objects.create(version_location=version_location, **data)
            changes[f"unit {data['name']}"] = "added"
        elif diff_fields(existing, data):
            changes[f"unit {data['name']}"] = diff_fields(existing, data)
            VersionStorageUnit.objects.filter(pk=existing.pk).update(**data)
    return changes


def location_remove(*, version_location: VersionLocation, actor) -> None:
    """Take a location off a draft. An approved location stays: it is in the registry."""
    _check_editable(version_location.version)
    if version_location.location_id:
        raise EnrollmentError(_("%(name)s is an approved location and stays on the agreement.")
                              % {"name": version_location.name})
    audit_log(actor=actor, action="enrollment.location.removed", obj=version_location.version,
              changes={"location": version_location.name})
    version_location.delete()


# --- What submission needs

def _missing(obj, names, where, prefix=""):
    return [Problem(where, f"{prefix}{name}", _("%(field)s is required.")
                    % {"field": obj._meta.get_field(name).verbose_name.capitalize()}, _("This field is required."))
            for name in names if getattr(obj, name) in ("", None)]


def _contact_problems(contacts: dict, roles, where: str) -> list[Problem]:
    problems = []
    for role in roles:
        contact = contacts.get(role) or Contact(role=role)
        for name in _CONTACT_REQUIRED[role]:
            if not getattr(contact, name):
                label = Contact._meta.get_field(name).verbose_name
                problems.append(Problem(where, f"{role}-{name}", _("%(role)s: %(field)s is required.")
                                        % {"role": ContactRole(role).label, "field": label},
                                        _("This field is required.")))
        if contact.phone and len(contact.phone) != 10:
            problems.append(Problem(where, f"{role}-phone", _("%(role)s: the phone number must have 10 digits.")
                                    % {"role": ContactRole(role).label}))
    primary, backup = contacts.get(ContactRole.PRIMARY_COORDINATOR), contacts.get(ContactRole.BACKUP_COORDINATOR)
    if primary and backup and primary.email and primary.email == backup.email:
        problems.append(Problem(where, f"{ContactRole.BACKUP_COORDINATOR}-email",
                                _("The back-up vaccine coordinator must be a different person from the primary.")))
    return problems


def section_a_problems(version: AgreementVersion) -> list[Problem]:
    where = _("Section A")
    problems = _missing(version, _SECTION_A_REQUIRED, where)
    if version.phone and len(version.phone) != 10:
        problems.append(Problem(where, "phone", _("Organization phone must have 10 digits.")))
    if set(CONDITION_CODES) - set(version.conditions):
        problems.append(Problem(where, "conditions", _("Acknowledge every condition of the agreement.")))
    contacts = {c.role: c for c in version.contacts.all() if c.version_location_id is None}
    return problems + _contact_problems(contacts, ORGANIZATION_CONTACTS, where)


def location_problems(version_location: VersionLocation) -> list[Problem]:
    where = version_location.name or _("New location")
    problems = _missing(version_location, _LOCATION_REQUIRED, where)
    if version_location.phone and len(version_location.phone) != 10:
        problems.append(Problem(where, "phone", _("Location phone must have 10 digits.")))
    if version_location.population_served == 0:
        problems.append(Problem(where, "population_served", _("Estimated population served must be above 0.")))
    if not version_location.storage_units.exists():
        problems.append(Problem(where, "storage_units", _("Add at least one storage unit.")))
    contacts = {c.role: c for c in version_location.contacts.all()}
    return problems + _contact_problems(contacts, LOCATION_CONTACTS, where)


def version_problems(version: AgreementVersion) -> list[Problem]:
    """Everything that stops ``version`` from being submitted (empty when it is complete)."""
    problems = section_a_problems(version)
    locations = list(version.locations.all())
    if not locations:
        problems.append(Problem(_("Section B"), "", _("Add at least one location.")))
    for version_location in locations:
        problems.extend(location_problems(version_location))
    return problems


# --- Transitions

def _transition(version, *, from_statuses, actor, action, notice, **update) -> AgreementVersion:
    updated = AgreementVersion.objects.filter(pk=version.pk, status__in=sorted(from_statuses)).update(**update)
    if not updated:
        version.refresh_from_db()
        raise EnrollmentError(_("This version is %(status)s: someone may have acted on it already.")
                              % {"status": version.get_status_display().lower()})
    previous = version.status
    version.refresh_from_db()
    audit_log(actor=actor, action=action, obj=version.agreement,
              changes={"version": version.number, "status": [previous, version.status],
                       "comments": version.review_comments if notice in ("returned", "rejected") else ""})
    _notify(version, notice)
    return version


def version_submit(*, version: AgreementVersion, actor, signed_name: str, signed_title: str,
                   signed_on: datetime.date, attested: bool) -> AgreementVersion:
    """Sign and submit a complete version for the state's review."""
    _check_editable(version)
    problems = version_problems(version)
    if problems:
        raise EnrollmentError(_("The agreement is not complete: %(first)s") % {"first": problems[0]})
    if not (signed_name.strip() and signed_title.strip()):
        raise EnrollmentError(_("Type your full name and title to sign."))
    if signed_on != timezone.localdate():
        raise EnrollmentError(_("The date signed must be today's date."), field="signed_on")
    if not attested:
        raise EnrollmentError(_("Check the attestation to sign."))
    notice = "resubmitted" if version.status == VersionStatus.RETURNED else "submitted"
    with transaction.atomic():
        return _transition(version, from_statuses=EDITABLE, actor=actor, action=f"enrollment.agreement.{notice}",
                           notice=notice, status=VersionStatus.SUBMITTED, signed_name=signed_name.strip(),
                           signed_title=signed_title.strip(), signed_on=signed_on, signed_by=actor,
                           submitted_at=timezone.now(), updated_at=timezone.now(),
                           review_comments="")  # the return's comments stay in the history


def version_return(*, version: AgreementVersion, actor, comments: str) -> AgreementVersion:
    """Send a submitted version back for changes; everything entered stays."""
    if not comments.strip():
        raise EnrollmentError(_("Say what needs to change: comments are required to return an agreement."))
    with transaction.atomic():
        return _transition(version, from_statuses={VersionStatus.SUBMITTED}, actor=actor,
                           action="enrollment.agreement.returned", notice="returned", status=VersionStatus.RETURNED,
                           review_comments=comments.strip(), decided_at=timezone.now(), decided_by=actor)


def version_reject(*, version: AgreementVersion, actor, comments: str) -> AgreementVersion:
    if not comments.strip():
        raise EnrollmentError(_("Give the reason: comments are required to reject an agreement."))
    with transaction.atomic():
        return _transition(version, from_statuses={VersionStatus.SUBMITTED}, actor=actor,
                           action="enrollment.agreement.rejected", notice="rejected", status=VersionStatus.REJECTED,
                           review_comments=comments.strip(), decided_at=timezone.now(), decided_by=actor)


def version_approve(*, version: AgreementVersion, actor, comments: str = "") -> AgreementVersion:
    """Approve a submitted version and apply it to the registry: the organization and its
    locations become active, new locations get their Provider PIN, storage units are recorded
    and the location coordinators are invited."""
    with transaction.atomic():
        version = _transition(version, from_statuses={VersionStatus.SUBMITTED}, actor=actor,
                              action="enrollment.agreement.approved", notice="approved",
                              status=VersionStatus.APPROVED, review_comments=comments.strip(),
                              decided_at=timezone.now(), decided_by=actor)
        agreement = version.agreement
        _apply_to_registry(version, agreement.organization, actor)
        Agreement.objects.filter(pk=agreement.pk).update(approved_version=version)
    return version


def _apply_to_registry(version: AgreementVersion, organization, actor) -> None:
    registry.organization_update(organization=organization, actor=actor, name=version.legal_name,
                                 provider_type=version.provider_type, phone=version.phone,
                                 **{name: getattr(version, name) for name in ADDRESS_FIELDS})
    registry.organization_activate(organization=organization, actor=actor)
    for version_location in version.locations.prefetch_related("storage_units", "contacts"):
        fields = {name: getattr(version_location, name) for name in LOCATION_FIELDS}
        location = version_location.location
        if location is None:
            location = registry.location_create(organization=organization, actor=actor, **fields)
            VersionLocation.objects.filter(pk=version_location.pk).update(location=location)
        else:
            registry.location_update(location=location, actor=actor, **fields)
        registry.location_activate(location=location, actor=actor)
        for unit in version_location.storage_units.all():
            data = {name: getattr(unit, name) for name in UNIT_FIELDS}
            if unit.storage_unit is None:
                created = registry.storage_unit_create(location=location, actor=actor, **data)
                VersionStorageUnit.objects.filter(pk=unit.pk).update(storage_unit=created)
            else:
                registry.storage_unit_update(unit=unit.storage_unit, actor=actor, **data)
        for contact in version_location.contacts.all():
            _invite_coordinator(contact, location, actor)


def _invite_coordinator(contact: Contact, location: Location, actor) -> None:
    """Invite a location's coordinator, unless they already hold the role there."""
    if not contact.email:
        return
    already = Membership.objects.active().filter(user__username=normalize_login(contact.email),
                                                 role=Role.VACCINE_COORDINATOR, location=location).exists()
    if not already:
        invitation_send(email=contact.email, role=Role.VACCINE_COORDINATOR, location=location,
                        is_backup=contact.role == ContactRole.BACKUP_COORDINATOR, first_name=contact.first_name,
                        last_name=contact.last_name, actor=actor)


# --- Amendments

def amendment_start(*, agreement: Agreement, actor) -> AgreementVersion:
    """Open an amendment: a draft copy of the version in force, to change and submit."""
    approved = agreement.approved_version
    if approved is None:
        raise EnrollmentError(_("Amendments start once the enrollment is approved."))
    if agreement.versions.open().exists():
        raise EnrollmentError(_("This agreement already has a version in progress."))
    with transaction.atomic():
        number = (agreement.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        amendment = _copy_version(approved, number=number)
        audit_log(actor=actor, action="enrollment.amendment.started", obj=agreement,
                  changes={"version": number, "from_version": approved.number})
    return amendment


def _copy_version(source: AgreementVersion, *, number: int) -> AgreementVersion:
    copy = AgreementVersion.objects.create(
        agreement=source.agreement, number=number, kind=VersionKind.AMENDMENT,
        **{name: getattr(source, name) for name in SECTION_A_FIELDS},
    )
    for contact in source.contacts.filter(version_location__isnull=True):
        Contact.objects.create(version=copy, role=contact.role,
                               **{name: getattr(contact, name) for name in CONTACT_FIELDS})
    for version_location in source.locations.prefetch_related("storage_units", "contacts"):
        location_copy = VersionLocation.objects.create(
            version=copy, location=version_location.location,
            **{name: getattr(version_location, name) for name in LOCATION_FIELDS})
        VersionStorageUnit.objects.bulk_create(
            VersionStorageUnit(version_location=location_copy, storage_unit=unit.storage_unit,
                               **{name: getattr(unit, name) for name in UNIT_FIELDS})
            for unit in version_location.storage_units.all())
        Contact.objects.bulk_create(
            Contact(version=copy, version_location=location_copy, role=contact.role,
                    **{name: getattr(contact, name) for name in CONTACT_FIELDS})
            for contact in version_location.contacts.all())
    return copy


def version_changes(version: AgreementVersion) -> list[str]:
    """What an amendment changes, against the version in force, one line each."""
    base = version.agreement.approved_version
    if base is None or base.pk == version.pk or version.kind != VersionKind.AMENDMENT:
        return []
    lines = [_("Section A — %(field)s: %(old)s → %(new)s") % {"field": _label(AgreementVersion, name),
                                                                "old": old or "—", "new": new or "—"}
             for name, (old, new) in diff_fields(base, {n: getattr(version, n) for n in SECTION_A_FIELDS}).items()]
    lines += _contact_changes(base.contacts.filter(version_location__isnull=True),
                              version.contacts.filter(version_location__isnull=True), _("Section A"))
    before = {vl.location_id: vl for vl in base.locations.all()}
    for version_location in version.locations.all():
        old = before.get(version_location.location_id) if version_location.location_id else None
        if old is None:
            lines.append(_("New location: %(name)s") % {"name": version_location.name})
            continue
        for name, (was, now) in diff_fields(old, {n: getattr(version_location, n) for n in LOCATION_FIELDS}).items():
            lines.append(_("%(location)s — %(field)s: %(old)s → %(new)s") % {
                "location": version_location.name, "field": _label(VersionLocation, name), "old": was or "—",
                "new": now or "—"})
        kept = {u.storage_unit_id: u for u in old.storage_units.all()}
        for unit in version_location.storage_units.all():
            previous = kept.get(unit.storage_unit_id) if unit.storage_unit_id else None
            if previous is None:
                lines.append(_("%(location)s — new storage unit: %(unit)s") % {"location": version_location.name,
                                                                                "unit": unit})
            elif str(previous) != str(unit) or previous.has_data_logger != unit.has_data_logger:
                lines.append(_("%(location)s — storage unit changed: %(old)s → %(new)s") % {
                    "location": version_location.name, "old": previous, "new": unit})
        lines += _contact_changes(old.contacts.all(), version_location.contacts.all(), version_location.name)
    return lines


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _contact_changes(before, after, where: str) -> list[str]:
    def describe(contact):
        return f"{contact.full_name} <{contact.email}>" if contact and contact.email else "—"

    old = {c.role: c for c in before}
    lines = []
    for contact in after:
        previous = old.get(contact.role)
        if previous is None or any(getattr(previous, n) != getattr(contact, n) for n in CONTACT_FIELDS):
            lines.append(_("%(where)s — %(role)s: %(old)s → %(new)s") % {
                "where": where, "role": contact.get_role_display(), "old": describe(previous),
                "new": describe(contact)})
    return lines


# --- Email

def _notify(version: AgreementVersion, event: str) -> None:
    from enrollment.tasks import send_agreement_notice

    outbox_enqueue(task=send_agreement_notice, args=(version.pk, event))


def agreement_notice_send(*, version_id: int, event: str) -> int:
    """Email the organization's administrators that ``event`` happened to a version; on a
    submission, tell the state's reviewers that it waits for them."""
    from django.conf import settings
    from django.urls import reverse

    from cvms.core.mail import build_email, send_many

    version = AgreementVersion.objects.select_related("agreement__organization").get(pk=version_id)
    agreement = version.agreement
    context = {"version": version, "event": event, "organization": agreement.organization,
               "url": settings.SITE_URL + reverse("enrollment:agreement", args=[agreement.pk])}
    admins = Membership.objects.active().filter(role=Role.ORG_ADMIN, organization=agreement.organization)
    messages = [build_email(template_prefix="enrollment/email/agreement_notice", context=context,
                            to=[m.user.email], language=m.user.preferred_language)
                for m in admins.select_related("user")]
    if event in ("submitted", "resubmitted"):
        review = {**context, "url": settings.SITE_URL + reverse("enrollment:review", args=[version.pk])}
        reviewers = Membership.objects.active().filter(role=Role.STATE_STAFF).select_related("user")
        messages += [build_email(template_prefix="enrollment/email/review_waiting", context=review,
                                 to=[m.user.email], language=m.user.preferred_language) for m in reviewers]
    return send_many(messages) if messages else 0
