"""Submission and the state's decision: sign and submit, return, reject, approve. Approval
applies the version to the registry."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import Membership, Role
from cvms.accounts.services import invitation_send
from cvms.core.audit import audit_log
from cvms.organizations import services as registry
from cvms.organizations.models import Location
from enrollment.models import (
    ADDRESS_FIELDS,
    EDITABLE,
    UNIT_FIELDS,
    Agreement,
    AgreementVersion,
    Contact,
    ContactRole,
    VersionLocation,
    VersionStatus,
    VersionStorageUnit,
)
from enrollment.selectors import LocationChange, VersionDiff, version_diff, version_problems
from enrollment.services import EnrollmentError
from enrollment.services.drafting import check_version_editable
from enrollment.services.notices import agreement_notice_queue


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
    agreement_notice_queue(version=version, event=notice)
    return version


def version_submit(*, version: AgreementVersion, actor, signed_name: str, signed_title: str,
                   signed_on: datetime.date, attested: bool) -> AgreementVersion:
    """Sign and submit a complete version for the state's review."""
    check_version_editable(version)
    problems = version_problems(version)
    if problems:
        raise EnrollmentError(_("The agreement is not complete: %(first)s") % {"first": problems[0]})
    if not (signed_name.strip() and signed_title.strip()):
        raise EnrollmentError(_("Type your full name and title to sign."),
                              field="signed_title" if signed_name.strip() else "signed_name")
    if signed_on != timezone.localdate():
        raise EnrollmentError(_("The date signed must be today's date."), field="signed_on")
    if not attested:
        raise EnrollmentError(_("Check the attestation to sign."), field="attested")
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
        raise EnrollmentError(_("Say what needs to change: comments are required to return an agreement."),
                              field="comments")
    with transaction.atomic():
        return _transition(version, from_statuses={VersionStatus.SUBMITTED}, actor=actor,
                           action="enrollment.agreement.returned", notice="returned", status=VersionStatus.RETURNED,
                           review_comments=comments.strip(), decided_at=timezone.now(), decided_by=actor)


def version_reject(*, version: AgreementVersion, actor, comments: str) -> AgreementVersion:
    if not comments.strip():
        raise EnrollmentError(_("Give the reason: comments are required to reject an agreement."),
                              field="comments")
    with transaction.atomic():
        return _transition(version, from_statuses={VersionStatus.SUBMITTED}, actor=actor,
                           action="enrollment.agreement.rejected", notice="rejected", status=VersionStatus.REJECTED,
                           review_comments=comments.strip(), decided_at=timezone.now(), decided_by=actor)


def version_decide(*, version: AgreementVersion, actor, decision: str, comments: str = "") -> AgreementVersion:
    """Record the state's ``decision`` (approved, returned or rejected) on a submitted version."""
    decide = {VersionStatus.APPROVED: version_approve, VersionStatus.RETURNED: version_return,
              VersionStatus.REJECTED: version_reject}.get(decision)
    if decide is None:
        raise EnrollmentError(_("Choose approve, return or reject."), field="decision")
    return decide(version=version, actor=actor, comments=comments)


def version_approve(*, version: AgreementVersion, actor, comments: str = "") -> AgreementVersion:
    """Approve a submitted version and apply to the registry what it changes, as the reviewer saw
    it (``selectors.version_diff``): an enrollment makes the organization and its locations
    active; new locations get their Provider PIN; changed details and storage units are recorded;
    the coordinators it newly names at a location are invited there, and no one else."""
    with transaction.atomic():
        version = _transition(version, from_statuses={VersionStatus.SUBMITTED}, actor=actor,
                              action="enrollment.agreement.approved", notice="approved",
                              status=VersionStatus.APPROVED, review_comments=comments.strip(),
                              decided_at=timezone.now(), decided_by=actor)
        agreement = version.agreement
        _apply_to_registry(version_diff(version), agreement.organization, actor)
        Agreement.objects.filter(pk=agreement.pk).update(approved_version=version)
    return version


#: Section A's fields as the registry's organization names them (the conditions stay on the agreement).
_ORGANIZATION_FIELDS = {"legal_name": "name", "provider_type": "provider_type", "phone": "phone",
                        **{name: name for name in ADDRESS_FIELDS}}


def _apply_to_registry(diff: VersionDiff, organization, actor) -> None:
    changed = {_ORGANIZATION_FIELDS[name]: getattr(diff.version, name) for name in diff.section_a
               if name in _ORGANIZATION_FIELDS}
    if changed:
        registry.organization_update(organization=organization, actor=actor, **changed)
    if diff.base is None:
        registry.organization_activate(organization=organization, actor=actor)
    for change in diff.locations:
        location = _apply_location(change, organization, actor)
        for unit in change.units:
            _apply_unit(unit.after, location, actor)
        # Section A's people are named on the agreement; a role comes with a location.
        for contact in change.contacts:
            if contact.names_someone_new:
                _invite_coordinator(contact.after, location, actor)


def _apply_location(change: LocationChange, organization, actor) -> Location:
    version_location = change.after
    fields = {name: getattr(version_location, name) for name in change.fields}
    location = version_location.location
    if location is None:
        location = registry.location_create(organization=organization, actor=actor, **fields)
        VersionLocation.objects.filter(pk=version_location.pk).update(location=location)
    elif fields:
        registry.location_update(location=location, actor=actor, **fields)
    if change.before is None:
        registry.location_activate(location=location, actor=actor)
    return location


def _apply_unit(unit: VersionStorageUnit, location: Location, actor) -> None:
    data = {name: getattr(unit, name) for name in UNIT_FIELDS}
    if unit.storage_unit is None:
        created = registry.storage_unit_create(location=location, actor=actor, **data)
        VersionStorageUnit.objects.filter(pk=unit.pk).update(storage_unit=created)
    else:
        registry.storage_unit_update(unit=unit.storage_unit, actor=actor, **data)


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
