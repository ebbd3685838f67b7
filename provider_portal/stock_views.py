"""The stock pages of a location: inventory, receive (by barcode), a lot's history, and the forms that
waste, return, adjust or correct its doses. Every write goes through ``cvms.inventory.services.stock``."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cvms.accounts.decorators import role_required
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.inventory.barcodes import barcode_read
from cvms.inventory.roles import ADJUST_ROLES, STOCK_ROLES, VIEW_ROLES, holds_role_at
from cvms.inventory.selectors import location_inventory, lot_history
from cvms.inventory.services.stock import NOT_CORRECTABLE, entry_reverse, lot_adjust, lot_receive, lot_return, lot_waste
from provider_portal.access import (
    BULK_UPLOAD_ROLES,
    access_entry_by_user,
    access_location_by_user,
    access_lot_by_user,
)
from provider_portal.stock_forms import AdjustForm, CorrectForm, ReceiveForm, ReturnForm, WasteForm


def _may(user, location) -> dict:
    """What the person may do here, so a page offers only what the services would accept."""
    return {"can_stock": holds_role_at(user, location, STOCK_ROLES),
            "can_adjust": holds_role_at(user, location, ADJUST_ROLES),
            "can_bulk_upload": holds_role_at(user, location, BULK_UPLOAD_ROLES)}


@require_GET
@role_required(*VIEW_ROLES)
def inventory(request, location_id):
    location = access_location_by_user(request.user, location_id, VIEW_ROLES)
    return render(request, "provider_portal/stock/inventory.html", {
        "location": location, "inventory": location_inventory(location), **_may(request.user, location),
        "soon_days": settings.CVMS_EXPIRING_SOON_DAYS, "suggest_days": settings.CVMS_MARKETPLACE_SUGGEST_DAYS,
    })


def _scanned(form, data) -> dict:
    """The form's values with what the barcode says in place of product, lot and expiry."""
    label = barcode_read(data.get("barcode", ""))
    filled = {name: data.get(name) for name in form.fields}
    filled.update(product=label.product.pk, lot_number=label.lot_number or filled["lot_number"],
                  expiration_date=label.expiration_date or filled["expiration_date"])
    return filled


@require_http_methods(["GET", "POST"])
@role_required(*STOCK_ROLES)
def receive(request, location_id):
    location = access_location_by_user(request.user, location_id, STOCK_ROLES)
    form = ReceiveForm(location=location)
    if request.method == "POST" and "read_barcode" in request.POST:
        try:
            form = ReceiveForm(location=location, initial=_scanned(form, request.POST))
        except ServiceError as refusal:
            form = ReceiveForm(location=location, initial=request.POST.dict())
            form.scan_refused(refusal)
    elif request.method == "POST":
        form = ReceiveForm(request.POST, location=location)
        if form.is_valid():
            data = form.cleaned_data
            try:
                lot = lot_receive(location=location, product=data["product"], lot_number=data["lot_number"],
                                  expiration_date=data["expiration_date"], vials=data["vials"], doses=data["doses"],
                                  storage_unit=data["storage_unit"], actor=request.user,
                                  idempotency_key=form.key("receive"))
            except ServiceError as refusal:
                add_refusal(form, refusal)
            else:
                messages.success(request, _("Received lot %(lot)s.") % {"lot": lot.lot_number})
                return redirect("provider_portal:inventory", location.pk)
    return render(request, "provider_portal/stock/receive.html", {
        "location": location, "form": form, "doses_per_vial": _doses_per_vial(form),
    }, status=400 if form.errors else 200)


def _doses_per_vial(form) -> dict:
    return {str(p.pk): p.doses_per_vial for p in form.fields["product"].queryset}


@require_GET
@role_required(*STOCK_ROLES)
def receive_scan(request, location_id):
    """What a scanned barcode fills in, for the receive page's script (the page works without it)."""
    access_location_by_user(request.user, location_id, STOCK_ROLES)
    try:
        label = barcode_read(request.GET.get("barcode", ""))
    except ServiceError as refusal:
        return JsonResponse({"error": str(refusal), "field": refusal.field}, status=400)
    expiry = label.expiration_date
    return JsonResponse({"product": label.product.pk, "product_name": label.product.display_name,
                         "lot_number": label.lot_number, "gtin": label.gtin,
                         "expiration_date": expiry.strftime("%m/%d/%Y") if expiry else ""})


@require_GET
@role_required(*VIEW_ROLES)
def lot_detail(request, location_id, lot_id):
    lot = access_lot_by_user(request.user, location_id, lot_id, VIEW_ROLES)
    lines = lot_history(lot)
    return render(request, "provider_portal/stock/lot.html", {
        "location": lot.location, "lot": lot, "lines": lines, "not_correctable": {str(k) for k in NOT_CORRECTABLE},
        "today": timezone.localdate(),
        **_may(request.user, lot.location),
    })


def _lot_form(request, location_id, lot_id, *, roles, form_class, record, title, template="lot_form.html"):
    """One page with one form over a lot: show it, or record through ``record`` and go back to the lot."""
    lot = access_lot_by_user(request.user, location_id, lot_id, roles)
    form = form_class(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            record(lot, form)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            return redirect("provider_portal:lot", lot.location.pk, lot.pk)
    return render(request, f"provider_portal/stock/{template}", {
        "location": lot.location, "lot": lot, "form": form, "title": title,
    }, status=400 if form.errors else 200)


def _waste(request, lot, form):
    d = form.cleaned_data
    lot_waste(lot=lot, quantity=d["quantity"], unit=d["unit"], reason=d["reason"], note=d["note"],
              actor=request.user, idempotency_key=form.key("waste"))
    messages.success(request, _("Wastage recorded."))


def _return(request, lot, form):
    d = form.cleaned_data
    lot_return(lot=lot, quantity=d["quantity"], unit=d["unit"], reason=d["reason"], note=d["note"],
               actor=request.user, idempotency_key=form.key("return"))
    messages.success(request, _("Return recorded."))


def _adjust(request, lot, form):
    d = form.cleaned_data
    lot_adjust(lot=lot, doses=d["doses"], note=d["note"], actor=request.user, idempotency_key=form.key("adjust"))
    messages.success(request, _("Total dose quantity adjusted."))


@require_http_methods(["GET", "POST"])
@role_required(*STOCK_ROLES)
def lot_waste_view(request, location_id, lot_id):
    return _lot_form(request, location_id, lot_id, roles=STOCK_ROLES, form_class=WasteForm, title=_("Record wastage"),
                     record=lambda lot, form: _waste(request, lot, form))


@require_http_methods(["GET", "POST"])
@role_required(*STOCK_ROLES)
def lot_return_view(request, location_id, lot_id):
    return _lot_form(request, location_id, lot_id, roles=STOCK_ROLES, form_class=ReturnForm, title=_("Record a return"),
                     record=lambda lot, form: _return(request, lot, form))


@require_http_methods(["GET", "POST"])
@role_required(*ADJUST_ROLES)
def lot_adjust_view(request, location_id, lot_id):
    return _lot_form(request, location_id, lot_id, roles=ADJUST_ROLES, form_class=AdjustForm,
                     title=_("Adjust total dose quantity"), record=lambda lot, form: _adjust(request, lot, form))


@require_http_methods(["GET", "POST"])
@role_required(*STOCK_ROLES)
def entry_correct(request, location_id, lot_id, entry_id):
    entry = access_entry_by_user(request.user, location_id, lot_id, entry_id, STOCK_ROLES)
    form = CorrectForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            entry_reverse(entry=entry, note=form.cleaned_data["note"], actor=request.user)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("The entry was corrected by a reversing entry."))
            return redirect("provider_portal:lot", location_id, entry.lot_id)
    return render(request, "provider_portal/stock/correct.html", {
        "location": entry.lot.location, "lot": entry.lot, "entry": entry, "form": form,
    }, status=400 if form.errors else 200)
