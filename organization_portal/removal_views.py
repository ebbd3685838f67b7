"""Removing an employee: a coordinator asks, with a reason, and state or help desk staff act on the
request in admin (``cvms.recipients.requests``). The coordinator follows their organization's
requests here and is emailed the outcome."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.recipients.requests import employee_removal_request_open, organization_removal_requests
from organization_portal.access import access_employee_by_user, access_employer_by_user
from organization_portal.employee_forms import RemovalRequestForm

REQUESTS_SHOWN = 200


@require_http_methods(["GET", "POST"])
@role_required(Role.ORG_COORDINATOR)
def removal_request(request, employer_id, employee_id):
    employee = access_employee_by_user(request.user, employer_id, employee_id)
    form = RemovalRequestForm(request.POST or None)
    if form.is_valid():
        try:
            employee_removal_request_open(employer=employee.employer, recipient=employee, actor=request.user,
                                          reason=form.cleaned_data["reason"])
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("The removal of %(name)s was requested. State or help desk staff will act "
                                        "on it; you will be emailed the outcome.")
                             % {"name": f"{employee.first_name} {employee.last_name}"})
            return redirect("organization_portal:removal_requests", employer_id)
    return render(request, "organization_portal/employees/removal_request.html",
                  {"employer": employee.employer, "employee": employee, "form": form},
                  status=400 if form.is_bound else 200)


@require_GET
@role_required(Role.ORG_COORDINATOR)
def removal_requests(request, employer_id):
    employer = access_employer_by_user(request.user, employer_id)
    return render(request, "organization_portal/employees/removal_requests.html", {
        "employer": employer, "requests": organization_removal_requests(organization=employer)[:REQUESTS_SHOWN]})
