"""Reads of invited employers for the health departments' and the state's view: each one's
status and, from its employees, how many were uploaded and how many completed registration.
Everything is counted in SQL, for one page of organizations or per county."""

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cvms.accounts.models import Invitation, Membership, Role
from cvms.organizations.models import Organization


class InvitedStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Invitation expired")
    REVOKED = "revoked", _("Invitation withdrawn")


def _coordinators():
    return Membership.objects.active().filter(organization=OuterRef("pk"), role=Role.ORG_COORDINATOR)


def _open_invitations():
    return Invitation.objects.filter(organization=OuterRef("pk"), role=Role.ORG_COORDINATOR,
                                     accepted_at__isnull=True, revoked_at__isnull=True)


def with_invited_status(organizations):
    """``organizations`` annotated with ``invited_status``: active once someone coordinates it,
    invited while an invitation is open, else expired (an invitation nobody renewed) or revoked."""
    now = timezone.now()
    return organizations.annotate(invited_status=Case(
        When(Exists(_coordinators()), then=Value(InvitedStatus.ACTIVE.value)),
        When(Exists(_open_invitations().filter(expires_at__gt=now)), then=Value(InvitedStatus.INVITED.value)),
        When(Exists(_open_invitations()), then=Value(InvitedStatus.EXPIRED.value)),
        default=Value(InvitedStatus.REVOKED.value), output_field=models.CharField(),
    ))


_REGISTERED = Q(employees__registered_at__isnull=False)


def _employee_count(**conditions):
    """How many employees of the outer organization (meeting ``conditions``), counted through the
    employer index one organization at a time."""
    employees = Organization._meta.get_field("employees").related_model.objects  # recipients: no import upward
    counted = (employees.filter(employer=OuterRef("pk"), **conditions).order_by().values("employer")
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted), 0)


def with_employee_counts(organizations):
    """``organizations`` with ``employee_count`` and ``registered_count``: meant for one page."""
    return organizations.annotate(employee_count=_employee_count(),
                                  registered_count=_employee_count(registered_at__isnull=False))


def invited_counties_summary(organizations) -> tuple[list[dict], dict]:
    """Per county of ``organizations``: how many organizations, how many active, employees
    uploaded and registered; and the totals of those rows. The statuses are counted over the
    organizations alone and the employees in a second query, so no status is worked out once per
    employee."""
    rows = {row["county"]: row for row in with_invited_status(organizations).order_by().values("county").annotate(
        organizations=Count("pk"), active=Count("pk", filter=Q(invited_status=InvitedStatus.ACTIVE.value)))}
    for row in rows.values():
        row.update(uploaded=0, registered=0)
    employees = organizations.order_by().filter(employees__isnull=False).values("county").annotate(
        uploaded=Count("employees"), registered=Count("employees", filter=_REGISTERED))
    for row in employees:
        rows[row["county"]].update(uploaded=row["uploaded"], registered=row["registered"])
    ordered = [rows[county] for county in sorted(rows)]
    totals = {key: sum(row[key] for row in ordered) for key in ("organizations", "active", "uploaded", "registered")}
    return ordered, totals


def invited_overview(organizations, *, county: str = "", status: str = "", page_number=None, per_page: int = 50):
    """The health department's (or the state's) view of ``organizations``: the counties among them,
    the per-county summary and totals of those in ``county`` (all when empty), and one page of
    them in ``status`` (all when empty or unknown), each with its status and employee counts."""
    chosen = organizations.filter(county=county) if county else organizations
    counties, totals = invited_counties_summary(chosen)
    listed = with_invited_status(chosen)
    if status in InvitedStatus.values:
        listed = listed.filter(invited_status=status)
    page = Paginator(listed.order_by("county", "name", "pk").values_list("pk", flat=True), per_page).get_page(
        page_number)
    rows = with_employee_counts(with_invited_status(organizations.filter(pk__in=list(page))))
    return {
        "page": page, "organizations": rows.select_related("invited_by").order_by("county", "name", "pk"),
        "counties": counties, "totals": totals,
        "county_choices": list(organizations.order_by("county").values_list("county", flat=True).distinct()),
    }


def team_of(organization) -> dict:
    """An employer's active Organization Coordinators and the invitations nobody accepted yet."""
    return {
        "coordinators": Membership.objects.active().filter(organization=organization, role=Role.ORG_COORDINATOR)
        .select_related("user").order_by("user__last_name", "user__first_name", "pk"),
        "pending": Invitation.objects.filter(organization=organization, role=Role.ORG_COORDINATOR,
                                             accepted_at__isnull=True, revoked_at__isnull=True).order_by("email"),
        "now": timezone.now(),
    }
