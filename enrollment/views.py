"""The Organization Administrator's side: start, draft, sign and submit the agreement, amend it,
sign the redistribution agreement. The state's side is in ``review_views``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.accounts.selectors import user_has_role
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.organizations.services import redistribution_agreement_sign
from enrollment import selectors
from enrollment.access import (
    access_agreement_by_user,
    access_organization_by_user,
    access_version_by_user,
    access_version_location_by_user,
)
from enrollment.forms import (
    ContactForm,
    LocationForm,
    RedistributionForm,
    SectionAForm,
    SignForm,
    StartForm,
    StorageUnitFormSet,
)
from enrollment.models import LOCATION_CONTACTS, ORGANIZATION_CONTACTS, Contact
from enrollment.services import EnrollmentError, decisions, drafting


@require_GET
@login_required
def home(request):
    return render(request, "enrollment/home.html", {
        "agreements": selectors.agreements_administered(request.user),
        "is_reviewer": user_has_role(request.user, Role.STATE_STAFF),
    })


@require_http_methods(["GET", "POST"])
@login_required
def start(request):
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = drafting.agreement_start(user=request.user, **form.cleaned_data)
        except EnrollmentError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("Enrollment started. Complete Section A and add your locations (Section B)."))
            return redirect("enrollment:section_a", agreement.pk)
    return render(request, "enrollment/start.html", {"form": form})


@require_GET
@role_required(Role.ORG_ADMIN)
def agreement_detail(request, agreement_id):
    agreement = access_agreement_by_user(request.user, agreement_id)
    version = selectors.current_version(agreement)
    return render(request, "enrollment/agreement.html", {
        "agreement": agreement, "version": version, "history": selectors.agreement_history(agreement),
        "problems": selectors.version_problems(version) if version.is_editable else [],
        "versions": agreement.versions.all(),
    })


def _editable_version(agreement):
    version = selectors.open_version(agreement)
    if version is None or not version.is_editable:
        raise Http404(_("There is no draft to edit. Start an amendment to change an approved agreement."))
    return version


def _contact_forms(request, version, version_location, roles):
    existing = {c.role: c for c in Contact.objects.filter(version=version, version_location=version_location)}
    return {role: ContactForm(request.POST or None, prefix=str(role), instance=existing.get(role) or Contact(role=role))
            for role in roles}


def _show_problems(problems, form, contact_forms) -> None:
    """Put each problem next to its field, so the section reads like any form with errors."""
    for problem in problems:
        role, _sep, field = problem.field.partition("-")
        target, name = (contact_forms[role], field) if field and role in contact_forms else (form, problem.field)
        if name in target.fields:
            target.add_error(name, problem.beside_field or problem.message)
        else:
            target.add_error(None, problem.message)


def _error_summary(context, problems=()) -> list[str]:
    """Every error on the page, for the summary at its top: the section's forms, its contacts and
    storage units, each named, so nothing far down the page goes unseen."""
    if problems:
        return [p.message for p in problems]
    lines = []
    named = [(None, context.get("form")), *((c.instance.get_role_display(), c)
                                            for c in context.get("contact_forms", {}).values())]
    units = context.get("units")
    if units is not None:
        named += [(_("Storage unit %(n)s") % {"n": i + 1}, f) for i, f in enumerate(units.forms)]
        lines += [str(e) for e in units.non_form_errors()]
    for prefix, form in named:
        for name, errors in (form.errors.items() if form is not None else ()):
            label = form.fields[name].label if name in form.fields else ""
            where = " — ".join(str(part) for part in (prefix, label) if part)
            lines += [f"{where}: {error}" if where else str(error) for error in errors]
    return lines


def _render_section(request, template, context, problems=(), status=200):
    return render(request, template, {**context, "error_summary": _error_summary(context, problems)}, status=status)


def _after_save(request, agreement, problems, form, contact_forms, template, context):
    if "continue" in request.POST and problems:
        _show_problems(problems, form, contact_forms)
        messages.warning(request, _("Saved. This section still needs the items marked below."))
        return _render_section(request, template, context, problems)
    messages.success(request, _("Section complete.") if not problems else _("Draft saved. Come back any time."))
    return redirect("enrollment:agreement", agreement.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.ORG_ADMIN)
def section_a(request, agreement_id):
    agreement = access_agreement_by_user(request.user, agreement_id)
    version = _editable_version(agreement)
    form = SectionAForm(request.POST or None, instance=version)
    contact_forms = _contact_forms(request, version, None, ORGANIZATION_CONTACTS)
    context = {"agreement": agreement, "version": version, "form": form, "contact_forms": contact_forms}
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in contact_forms.values()):
        drafting.section_a_save(version=version, fields=form.cleaned_data, actor=request.user,
                                contacts={role: f.cleaned_data for role, f in contact_forms.items()})
        return _after_save(request, agreement, selectors.section_a_problems(version), form, contact_forms,
                           "enrollment/section_a.html", context)
    return _render_section(request, "enrollment/section_a.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.ORG_ADMIN)
def location_edit(request, agreement_id, version_location_id=None):
    agreement = access_agreement_by_user(request.user, agreement_id)
    version = _editable_version(agreement)
    version_location = (access_version_location_by_user(request.user, agreement_id, version_location_id)
                        if version_location_id else None)
    form = LocationForm(request.POST or None, instance=version_location)
    units = StorageUnitFormSet(request.POST or None, instance=version_location, prefix="units")
    contact_forms = _contact_forms(request, version, version_location, LOCATION_CONTACTS)
    context = {"agreement": agreement, "version": version, "form": form, "units": units,
               "contact_forms": contact_forms, "version_location": version_location}
    forms_valid = form.is_valid() and units.is_valid() and all(f.is_valid() for f in contact_forms.values())
    if request.method == "POST" and forms_valid:
        try:
            version_location = drafting.location_save(
                version=version, version_location=version_location, fields=form.cleaned_data, actor=request.user,
                contacts={role: f.cleaned_data for role, f in contact_forms.items()}, units=_unit_rows(units))
        except EnrollmentError as refusal:
            add_refusal(form, refusal)
            return _render_section(request, "enrollment/location.html", context)
        if version_location_id is None:
            # A new location now has its own page: carry on there, so saving again edits it.
            problems = selectors.location_problems(version_location)
            if "continue" in request.POST and problems:
                messages.warning(request, _("Saved. This location still needs: %(items)s")
                                 % {"items": "; ".join(p.message for p in problems)})
                return redirect("enrollment:location", agreement.pk, version_location.pk)
        context["version_location"] = version_location
        return _after_save(request, agreement, selectors.location_problems(version_location), form, contact_forms,
                           "enrollment/location.html", context)
    return _render_section(request, "enrollment/location.html", context)


def _unit_rows(formset) -> list[dict]:
    rows = []
    for unit_form in formset.forms:
        data = unit_form.cleaned_data
        if not data or (not unit_form.has_changed() and not unit_form.instance.pk):
            continue
        rows.append({**data, "id": unit_form.instance.pk, "delete": data.get("DELETE", False)})
    return rows


@require_POST
@role_required(Role.ORG_ADMIN)
def location_remove(request, agreement_id, version_location_id):
    version_location = access_version_location_by_user(request.user, agreement_id, version_location_id)
    try:
        drafting.location_remove(version_location=version_location, actor=request.user)
        messages.success(request, _("Location removed from the draft."))
    except EnrollmentError as refusal:
        messages.error(request, str(refusal))
    return redirect("enrollment:agreement", agreement_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.ORG_ADMIN)
def submit(request, agreement_id):
    agreement = access_agreement_by_user(request.user, agreement_id)
    version = _editable_version(agreement)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.version_submit(version=version, actor=request.user, **form.cleaned_data)
        except EnrollmentError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("Signed and submitted. The Immunization Branch will review it; you will get "
                                        "an email when they decide."))
            return redirect("enrollment:agreement", agreement.pk)
    return _render_section(request, "enrollment/submit.html", {
        "agreement": agreement, "version": version, "form": form,
        "problems": selectors.version_problems(version), "changes": selectors.version_changes(version),
    })


@require_POST
@role_required(Role.ORG_ADMIN)
def amend(request, agreement_id):
    agreement = access_agreement_by_user(request.user, agreement_id)
    try:
        drafting.amendment_start(agreement=agreement, actor=request.user)
        messages.success(request, _("Amendment started: change what you need, then review, sign and submit it."))
    except EnrollmentError as refusal:
        messages.error(request, str(refusal))
    return redirect("enrollment:agreement", agreement.pk)


@require_GET
@role_required(Role.ORG_ADMIN)
def version_detail(request, agreement_id, number):
    version = access_version_by_user(request.user, agreement_id, number)
    return render(request, "enrollment/version.html", {"agreement": version.agreement, "version": version,
                                                       "changes": selectors.version_changes(version)})


@require_http_methods(["GET", "POST"])
@role_required(Role.ORG_ADMIN)
def redistribution(request, agreement_id):
    agreement = access_agreement_by_user(request.user, agreement_id)
    organization = agreement.organization
    form = RedistributionForm(request.POST or None, locations=organization.locations.active().order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            redistribution_agreement_sign(organization=organization, locations=list(form.cleaned_data["locations"]),
                                          signed_name=form.cleaned_data["signed_name"],
                                          signed_title=form.cleaned_data["signed_title"], actor=request.user)
        except ServiceError as refusal:
            form.add_error("locations", str(refusal))
        else:
            messages.success(request, _("Redistribution agreement signed."))
            return redirect("enrollment:agreement", agreement.pk)
    signed = organization.redistribution_agreements.filter(withdrawn_at__isnull=True).prefetch_related("locations")
    return render(request, "enrollment/redistribution.html", {"agreement": agreement, "form": form,
                                                              "signed": signed})


@require_GET
@role_required(Role.ORG_ADMIN, Role.STATE_STAFF)
def organization_detail(request, organization_id):
    organization = access_organization_by_user(request.user, organization_id)
    locations = organization.locations.prefetch_related("storage_units").order_by("name")
    context = {"organization": organization, "locations": locations}
    return render(request, "enrollment/organization_detail.html", context)
