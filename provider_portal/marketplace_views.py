"""The Vaccine Marketplace tab of a location: other locations' open offers (filtered, paged), a
request for doses of one, posting an offer, the location's own offers with the requests on them,
and its own requests. Everyone at the location sees it; only its managers and coordinators act."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Membership
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.inventory.roles import STOCK_ROLES, VIEW_ROLES
from cvms.inventory.selectors import (
    location_marketplace_offers,
    location_marketplace_requests,
    marketplace_counties,
    marketplace_open_offers,
)
from cvms.inventory.services.marketplace import (
    offer_post,
    offer_request,
    offer_withdraw,
    request_accept,
    request_decline,
    request_withdraw,
)
from provider_portal.access import (
    BULK_UPLOAD_ROLES,
    access_location_by_user,
    access_offer_request_by_user,
    access_offer_request_to_user,
    access_open_offer_by_user,
    access_own_offer_by_user,
)
from provider_portal.marketplace_forms import OfferFilterForm, OfferForm, OfferRequestForm

PAGE_SIZE = 25


def _render(request, template, location, status=200, **context):
    """A marketplace page: what the location's tabs and the sub-navigation need, then the page's own."""
    roles = set(Membership.objects.active().filter(user=request.user, location=location).values_list("role", flat=True))
    return render(request, f"provider_portal/marketplace/{template}", {
        "location": location, "can_act": bool(roles & {str(r) for r in STOCK_ROLES}),
        "can_bulk_upload": bool(roles & {str(r) for r in BULK_UPLOAD_ROLES}), **context,
    }, status=status)


@require_GET
@role_required(*VIEW_ROLES)
def marketplace(request, location_id):
    location = access_location_by_user(request.user, location_id)
    filters = OfferFilterForm(request.GET or None, counties=marketplace_counties(for_location=location))
    chosen = filters.cleaned_data if filters.is_valid() else {}
    offers = marketplace_open_offers(for_location=location, product=chosen.get("product"),
                                     county=chosen.get("county", ""), expires_within_days=chosen.get("expires_within"))
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    forms = [(offer, OfferRequestForm(prefix=f"offer-{offer.pk}")) for offer in page]
    return _render(request, "offers_open.html", location, filters=filters, page=page, offers=forms,
                   status=400 if filters.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*STOCK_ROLES)
def marketplace_request_new(request, location_id, offer_id):
    location, offer = access_open_offer_by_user(request.user, location_id, offer_id)
    form = OfferRequestForm(request.POST or None, prefix=f"offer-{offer.pk}")
    if form.is_valid():
        try:
            offer_request(offer=offer, location=location, doses=form.cleaned_data["doses"],
                          note=form.cleaned_data["note"], actor=request.user)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("Your request was sent to %(location)s.") % {"location": offer.location.name})
            return redirect("provider_portal:marketplace_requests", location.pk)
    return _render(request, "request.html", location, offer=offer, form=form, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*STOCK_ROLES)
def marketplace_offer_new(request, location_id):
    location = access_location_by_user(request.user, location_id, STOCK_ROLES)
    form = OfferForm(request.POST or None, location=location, initial={"lot": request.GET.get("lot", "")})
    if form.is_valid():
        try:
            offer_post(lot=form.cleaned_data["lot"], doses=form.cleaned_data["doses"],
                       pickup_notes=form.cleaned_data["pickup_notes"], actor=request.user)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("Your offer is on the Vaccine Marketplace."))
            return redirect("provider_portal:marketplace_offers", location.pk)
    return _render(request, "offer_new.html", location, form=form, status=400 if form.errors else 200)


@require_GET
@role_required(*VIEW_ROLES)
def marketplace_offers(request, location_id):
    location = access_location_by_user(request.user, location_id)
    offers = location_marketplace_offers(location)
    return _render(request, "my_offers.html", location,
                   page=Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page")))


@require_GET
@role_required(*VIEW_ROLES)
def marketplace_requests(request, location_id):
    location = access_location_by_user(request.user, location_id)
    made = location_marketplace_requests(location)
    return _render(request, "my_requests.html", location,
                   page=Paginator(made, PAGE_SIZE).get_page(request.GET.get("page")))


def _act(request, call, done: str, then: str, location_id: int):
    """Run one service call from a button; say what happened, or why it was refused."""
    try:
        call()
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return redirect(then, location_id)


@require_POST
@role_required(*STOCK_ROLES)
def marketplace_offer_withdraw(request, location_id, offer_id):
    offer = access_own_offer_by_user(request.user, location_id, offer_id)
    return _act(request, lambda: offer_withdraw(offer=offer, actor=request.user),
                _("The offer was withdrawn."), "provider_portal:marketplace_offers", location_id)


@require_POST
@role_required(*STOCK_ROLES)
def marketplace_request_accept(request, location_id, request_id):
    made = access_offer_request_to_user(request.user, location_id, request_id)
    return _act(request, lambda: request_accept(request=made, actor=request.user),
                _("Request accepted: a transfer now awaits the Immunization Branch's approval."),
                "provider_portal:marketplace_offers", location_id)


@require_POST
@role_required(*STOCK_ROLES)
def marketplace_request_decline(request, location_id, request_id):
    made = access_offer_request_to_user(request.user, location_id, request_id)
    return _act(request, lambda: request_decline(request=made, actor=request.user),
                _("The request was declined."), "provider_portal:marketplace_offers", location_id)


@require_POST
@role_required(*STOCK_ROLES)
def marketplace_request_withdraw(request, location_id, request_id):
    made = access_offer_request_by_user(request.user, location_id, request_id)
    return _act(request, lambda: request_withdraw(request=made, actor=request.user),
                _("Your request was withdrawn."), "provider_portal:marketplace_requests", location_id)
