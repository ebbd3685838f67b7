"""What the enrollment pages and services read, writing nothing: the agreement's history, the
version being worked on, the review queue, what submission still needs (``version_problems``) and
what a version changes against the version in force before it (``version_diff``, which approval
applies, and ``version_changes``, the same diff worded for the reviewer)."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cvms.core.audit import diff_fields
from cvms.core.models import AuditLog
from enrollment.conditions import CONDITION_CODES
from enrollment.models import (
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    LOCATION_CONTACTS,
    LOCATION_FIELDS,
    OPEN,
    ORGANIZATION_CONTACTS,
    SECTION_A_FIELDS,
    UNIT_FIELDS,
    Agreement,
    AgreementVersion,
    Contact,
    ContactRole,
    VersionKind,
    VersionLocation,
    VersionStatus,
    VersionStorageUnit,
)

HISTORY_LABELS = {
    "enrollment.agreement.started": gettext_lazy("Enrollment started"),
    "enrollment.agreement.submitted": gettext_lazy("Signed and submitted"),
    "enrollment.agreement.resubmitted": gettext_lazy("Corrected and resubmitted"),
    "enrollment.agreement.returned": gettext_lazy("Returned for changes"),
    "enrollment.agreement.rejected": gettext_lazy("Rejected"),
    "enrollment.agreement.approved": gettext_lazy("Approved"),
    "enrollment.amendment.started": gettext_lazy("Amendment started"),
}


def agreement_history(agreement: Agreement) -> list[AuditLog]:
    """The agreement's transitions, oldest first, each with a ``label`` for people."""
    entries = list(AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Agreement), object_id=str(agreement.pk),
        action__in=list(HISTORY_LABELS),
    ).order_by("at", "pk"))
    for entry in entries:
        entry.label = HISTORY_LABELS[entry.action]
    return entries


def open_version(agreement: Agreement) -> AgreementVersion | None:
    return agreement.versions.open().first()


def current_version(agreement: Agreement) -> AgreementVersion | None:
    """The version the organization works on: the open one, else the one in force, else the newest."""
    return _current(agreement, agreement.versions.all())


def agreements_administered(user) -> list[tuple[Agreement, AgreementVersion]]:
    """The agreements ``user`` administers, by organization name, each with its ``current_version``."""
    agreements = (Agreement.objects.administered_by(user).select_related("organization", "approved_version")
                  .prefetch_related("versions").order_by("organization__name"))
    return [(agreement, _current(agreement, agreement.versions.all())) for agreement in agreements]


def _current(agreement: Agreement, versions) -> AgreementVersion | None:
    """``current_version`` among the agreement's ``versions`` (newest first)."""
    return next((v for v in versions if v.status in OPEN), None) or agreement.approved_version or next(
        iter(versions), None)


def review_queue(*, status: str = "", county: str = "", provider_type: str = ""):
    """Versions the state reviews (never drafts), oldest submission first, filtered."""
    versions = (AgreementVersion.objects.exclude(status=VersionStatus.DRAFT)
                .select_related("agreement__organization")
                .annotate(location_count=Count("locations", distinct=True)))
    if status:
        versions = versions.filter(status=status)
    if county:
        versions = versions.filter(Q(county__iexact=county.strip()) | Q(locations__county__iexact=county.strip()))
    if provider_type:
        versions = versions.filter(provider_type=provider_type)
    return versions.distinct().order_by("submitted_at", "pk")


# --- What submission needs

_REQUIRED_ADDRESS = [name for name in ADDRESS_FIELDS if name != "address_line2"]
_SECTION_A_REQUIRED = ["legal_name", "provider_type", *_REQUIRED_ADDRESS, "phone"]
_LOCATION_REQUIRED = ["name", "location_type", *_REQUIRED_ADDRESS, "phone", "hours", "population_served"]
#: Signers give their title; coordinators need not.
_CONTACT_REQUIRED = {
    ContactRole.CHIEF_MEDICAL_OFFICER: ["first_name", "last_name", "title", "email", "phone"],
    ContactRole.CHIEF_EXECUTIVE_OFFICER: ["first_name", "last_name", "title", "email", "phone"],
    ContactRole.PRIMARY_COORDINATOR: ["first_name", "last_name", "email", "phone"],
    ContactRole.BACKUP_COORDINATOR: ["first_name", "last_name", "email", "phone"],
}


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


# --- What a version changes

@dataclass(frozen=True)
class ContactChange:
    """A person the version names differently from the version before: ``before`` is None when
    the role was not filled there (a new location, say)."""

    before: Contact | None
    after: Contact

    @property
    def names_someone_new(self) -> bool:
        """The role goes to someone the version before did not name in it: approval invites them."""
        return bool(self.after.email) and (self.before is None or self.before.email != self.after.email)


@dataclass(frozen=True)
class UnitChange:
    before: VersionStorageUnit | None  # None: a unit new to the location
    after: VersionStorageUnit


@dataclass(frozen=True)
class LocationChange:
    """A Section B location the version adds (``before`` None, every field in ``fields``) or changes."""

    before: VersionLocation | None
    after: VersionLocation
    fields: dict[str, list]  # {name: [old, new]}
    units: list[UnitChange]
    contacts: list[ContactChange]


@dataclass(frozen=True)
class VersionDiff:
    """What ``version`` changes against ``base``, the version in force before it (None for the
    enrollment, where everything is new). The reviewer reads it (``version_changes``) and approval
    applies it, so approval grants nothing the reviewer was not shown."""

    version: AgreementVersion
    base: AgreementVersion | None
    section_a: dict[str, list]  # {name: [old, new]}
    contacts: list[ContactChange]  # Section A's people
    locations: list[LocationChange]


def version_base(version: AgreementVersion) -> AgreementVersion | None:
    """The version in force when ``version`` was drafted: the last approved one before it."""
    return (AgreementVersion.objects.filter(agreement_id=version.agreement_id, status=VersionStatus.APPROVED,
                                            number__lt=version.number).order_by("-number").first())


def version_diff(version: AgreementVersion) -> VersionDiff:
    base = version_base(version)
    section_a = _fields_changed(base, version, SECTION_A_FIELDS)
    contacts = _contacts_changed(base.contacts.filter(version_location__isnull=True) if base else [],
                                 version.contacts.filter(version_location__isnull=True))
    before = {vl.location_id: vl for vl in base.locations.prefetch_related("storage_units", "contacts")} if base else {}
    locations = []
    for after in version.locations.prefetch_related("storage_units__storage_unit", "contacts"):
        old = before.get(after.location_id) if after.location_id else None
        change = LocationChange(
            old, after, _fields_changed(old, after, LOCATION_FIELDS),
            _units_changed(old.storage_units.all() if old else [], after.storage_units.all()),
            _contacts_changed(old.contacts.all() if old else [], after.contacts.all()))
        if old is None or change.fields or change.units or change.contacts:
            locations.append(change)
    return VersionDiff(version, base, section_a, contacts, locations)


def _fields_changed(before, after, names) -> dict[str, list]:
    if before is None:
        return {name: [None, getattr(after, name)] for name in names}
    return diff_fields(before, {name: getattr(after, name) for name in names})


def _contacts_changed(before, after) -> list[ContactChange]:
    old = {c.role: c for c in before}
    return [ContactChange(old.get(contact.role), contact) for contact in after
            if old.get(contact.role) is None
            or any(getattr(old[contact.role], n) != getattr(contact, n) for n in CONTACT_FIELDS)]


def _units_changed(before, after) -> list[UnitChange]:
    kept = {u.storage_unit_id: u for u in before}
    return [UnitChange(kept.get(unit.storage_unit_id) if unit.storage_unit_id else None, unit) for unit in after
            if not unit.storage_unit_id or unit.storage_unit_id not in kept
            or any(getattr(kept[unit.storage_unit_id], n) != getattr(unit, n) for n in UNIT_FIELDS)]


def version_changes(version: AgreementVersion) -> list[str]:
    """What an amendment changes, against the version in force before it, one line each."""
    if version.kind != VersionKind.AMENDMENT:
        return []
    diff = version_diff(version)
    if diff.base is None:
        return []
    lines = [_("Section A — %(field)s: %(old)s → %(new)s") % {"field": _label(AgreementVersion, name),
                                                                "old": old or "—", "new": new or "—"}
             for name, (old, new) in diff.section_a.items()]
    lines += _contact_lines(diff.contacts, _("Section A"))
    for change in diff.locations:
        where = change.after.name
        if change.before is None:
            lines.append(_("New location: %(name)s") % {"name": where})
        else:
            lines += [_("%(location)s — %(field)s: %(old)s → %(new)s") % {
                "location": where, "field": _label(VersionLocation, name), "old": was or "—", "new": now or "—"}
                for name, (was, now) in change.fields.items()]
            lines += [_("%(location)s — new storage unit: %(unit)s") % {"location": where, "unit": unit.after}
                      if unit.before is None else
                      _("%(location)s — storage unit changed: %(old)s → %(new)s") % {
                          "location": where, "old": unit.before, "new": unit.after}
                      for unit in change.units]
        lines += _contact_lines(change.contacts, where)
    return lines


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _contact_lines(changes: list[ContactChange], where: str) -> list[str]:
    """A person newly named in a role, or what changed in the details of the same person."""
    def describe(contact):
        return f"{contact.full_name} <{contact.email}>" if contact and contact.email else "—"

    lines = []
    for change in changes:
        role = change.after.get_role_display()
        if change.before is None or change.before.email != change.after.email:
            lines.append(_("%(where)s — %(role)s: %(old)s → %(new)s") % {
                "where": where, "role": role, "old": describe(change.before), "new": describe(change.after)})
            continue
        lines += [_("%(where)s — %(role)s — %(field)s: %(old)s → %(new)s") % {
            "where": where, "role": role, "field": _label(Contact, name), "old": old or "—", "new": new or "—"}
            for name, (old, new) in diff_fields(change.before, {n: getattr(change.after, n)
                                                                for n in CONTACT_FIELDS}).items()]
    return lines
