"""A location's Vaccines.gov settings: changed by its Location Managers and Vaccine Coordinators,
read by its other roles and by state staff."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cvms.accounts.decorators import role_required
from cvms.vaccines_gov.selectors import location_settings, product_rows
from cvms.vaccines_gov.services import SETTINGS_FIELDS, SettingsRefused, vaccines_gov_settings_save
from provider_portal.access import (
    PORTAL_ROLES,
    access_vaccines_gov_location_by_user,
    vaccines_gov_editable_by,
)
from provider_portal.vaccines_gov_forms import VaccinesGovSettingsForm


def _rows(location):
    return product_rows(location_ids=[location.pk], as_of=timezone.localdate()).get(location.pk, [])


def _page(request, location, form=None, status=200):
    record, can_edit = location_settings(location), vaccines_gov_editable_by(request.user, location)
    form = form or VaccinesGovSettingsForm(rows=_rows(location),
                                           initial={name: getattr(record, name) for name in SETTINGS_FIELDS})
    for field in form.fields.values():
        field.disabled = not can_edit
    return render(request, "provider_portal/vaccines_gov.html", {
        "location": location, "record": record, "form": form, "can_edit": can_edit}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*PORTAL_ROLES)
def vaccines_gov_settings(request, location_id):
    if request.method == "GET":
        return _page(request, access_vaccines_gov_location_by_user(request.user, location_id))
    location = access_vaccines_gov_location_by_user(request.user, location_id, edit=True)
    form = VaccinesGovSettingsForm(request.POST, rows=_rows(location))
    if form.is_valid():
        try:
            vaccines_gov_settings_save(location=location, actor=request.user, fields=form.settings_fields(),
                                       products=form.product_values())
        except SettingsRefused as refused:
            for field, problem in refused.problems.items():
                form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("The Vaccines.gov settings were saved."))
            return redirect("provider_portal:vaccines_gov", location.pk)
    return _page(request, location, form=form, status=400)
