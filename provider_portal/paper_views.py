"""The location's paper forms ("CVMS Offline Operations", FAQ 22): the page that lists them and
their PDFs in each language the site speaks."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.immunizations.paper_forms import inventory_levels_pdf, registration_form_pdf
from cvms.immunizations.roles import CHECKIN_ROLES
from cvms.inventory.roles import VIEW_ROLES, holds_role_at
from provider_portal.access import BULK_UPLOAD_ROLES, access_location_by_user

#: The forms a location may download: URL name part -> (builder, file name).
PAPER_FORMS = {
    "registration": (registration_form_pdf, "recipient-registration-and-vaccine-administration"),
    "inventory-levels": (inventory_levels_pdf, "inventory-levels"),
}


@require_GET
@role_required(*VIEW_ROLES)
def paper_forms(request, location_id):
    location = access_location_by_user(request.user, location_id)
    return render(request, "provider_portal/history/paper_forms.html", {
        "location": location, "languages": settings.LANGUAGES,
        "can_bulk_upload": holds_role_at(request.user, location, BULK_UPLOAD_ROLES),
        "can_check_in": holds_role_at(request.user, location, CHECKIN_ROLES),
    })


@require_GET
@role_required(*VIEW_ROLES)
def paper_form(request, location_id, form, language):
    location = access_location_by_user(request.user, location_id)
    if form not in PAPER_FORMS or language not in dict(settings.LANGUAGES):
        raise Http404
    build, name = PAPER_FORMS[form]
    return HttpResponse(build(location=location, language=language), content_type="application/pdf", headers={
        "Content-Disposition": content_disposition_header(True, f"{name}-{language}.pdf")})
