"""Inviting employers and their coordinators; the health department's view of what it invited."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.accounts.selectors import user_has_role
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.organizations import invitations as services
from cvms.organizations.invited import InvitedStatus, invited_overview, team_of
from organization_portal.access import (
    INVITING_ROLES,
    access_coordinator_invitation_by_user,
    access_team_organization_by_user,
    invited_organizations_for_user,
)
from organization_portal.invitation_forms import CoordinatorInviteForm, OrganizationInviteForm

TEAM_ROLES = (*INVITING_ROLES, Role.ORG_COORDINATOR)


@require_GET
@role_required(*INVITING_ROLES)
def invited_list(request):
    county, status = request.GET.get("county", ""), request.GET.get("status", "")
    overview = invited_overview(invited_organizations_for_user(request.user), county=county, status=status,
                                page_number=request.GET.get("page"))
    return render(request, "organization_portal/invitations/invited_list.html",
                  {**overview, "county": county, "status": status, "statuses": InvitedStatus.choices})


@require_http_methods(["GET", "POST"])
@role_required(*INVITING_ROLES)
def organization_invite(request):
    counties = services.counties_invitable_by(request.user)
    form = OrganizationInviteForm(request.POST or None, counties=counties)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.organization_invite(
                name=data["name"], county=data["county"], industry=data["industry"], contact_email=data["email"],
                contact_first_name=data["first_name"], contact_last_name=data["last_name"],
                language=data["language"], actor=request.user)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("%(organization)s is invited: %(email)s has been sent an invitation.")
                             % {"organization": invitation.organization.name, "email": invitation.email})
            return redirect("organization_portal:team", organization_id=invitation.organization_id)
    served = [] if user_has_role(request.user, Role.STATE_STAFF) else counties
    return render(request, "organization_portal/invitations/invite.html", {"form": form, "served": served})


@require_http_methods(["GET", "POST"])
@role_required(*TEAM_ROLES)
def team(request, organization_id):
    organization = access_team_organization_by_user(request.user, organization_id)
    form = CoordinatorInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.coordinator_invite(organization=organization, actor=request.user,
                                                     **form.cleaned_data)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email})
            return redirect("organization_portal:team", organization_id=organization.pk)
    return render(request, "organization_portal/invitations/team.html",
                  {"organization": organization, "form": form, **team_of(organization)})


@require_POST
@role_required(*TEAM_ROLES)
def invitation_resend(request, invitation_id):
    return _invitation_change(request, invitation_id, services.coordinator_invitation_resend,
                              _("The invitation to %(email)s has been sent again."))


@require_POST
@role_required(*TEAM_ROLES)
def invitation_withdraw(request, invitation_id):
    return _invitation_change(request, invitation_id, services.coordinator_invitation_withdraw,
                              _("The invitation to %(email)s has been withdrawn: its link no longer works."))


def _invitation_change(request, invitation_id, change, done: str):
    invitation = access_coordinator_invitation_by_user(request.user, invitation_id)
    try:
        change(invitation=invitation, actor=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done % {"email": invitation.email})
    return redirect("organization_portal:team", organization_id=invitation.organization_id)
