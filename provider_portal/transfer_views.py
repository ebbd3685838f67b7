"""Transfers and redistributions (FAQ 23): a location's Transfers tab, the request form, a transfer's
page with its timeline and the step its viewer may take, and the Immunization Branch's approval queue."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cvms.accounts.decorators import role_required
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.inventory.choices import TransferStatus
from cvms.inventory.roles import STATE_ROLES, STOCK_ROLES, holds_role_at
from cvms.inventory.selectors import (
    location_stock_summary,
    transfer_steps_for,
    transfer_timeline,
    transfers_awaiting_state_count,
    transfers_for_state,
    transfers_involving,
)
from cvms.inventory.services.transfers import (
    transfer_approve,
    transfer_cancel,
    transfer_receive,
    transfer_reject,
    transfer_request,
    transfer_ship,
)
from cvms.organizations.selectors import locations_search
from provider_portal.access import (
    BULK_UPLOAD_ROLES,
    PORTAL_ROLES,
    access_location_by_user,
    access_transfer_by_user,
    access_transfer_for_state,
)
from provider_portal.transfer_forms import (
    CancelForm,
    DecisionForm,
    LocationSearchForm,
    QueueFilterForm,
    ReceiveForm,
    TransferRequestForm,
)

#: Rows a list shows at most (the newest).
LIST_LIMIT = 200


def _tabs(request, location) -> dict:
    """What the location's tabs need."""
    return {"location": location, "tab": "transfers",
            "can_bulk_upload": holds_role_at(request.user, location, BULK_UPLOAD_ROLES)}


@require_GET
@role_required(*PORTAL_ROLES)
def transfers(request, location_id):
    location = access_location_by_user(request.user, location_id)
    rows = transfers_involving(location).select_related("from_location", "to_location", "lot__product")
    return render(request, "provider_portal/transfers/list.html", {
        **_tabs(request, location),
        "outgoing": rows.filter(from_location=location)[:LIST_LIMIT],
        "incoming": rows.filter(to_location=location)[:LIST_LIMIT],
        "can_request": holds_role_at(request.user, location, STOCK_ROLES),
    })


@require_http_methods(["GET", "POST"])
@role_required(*STOCK_ROLES)
def transfer_new(request, location_id):
    location = access_location_by_user(request.user, location_id, STOCK_ROLES)
    form = TransferRequestForm(request.POST or None, location=location)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfer_request(actor=request.user, **form.cleaned_data)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("Your request was sent to the Immunization Branch for approval. "
                                        "%(doses)s doses are reserved until then.") % {"doses": transfer.doses})
            return redirect("provider_portal:transfer", location.pk, transfer.pk)
    return render(request, "provider_portal/transfers/new.html", {**_tabs(request, location), "form": form},
                  status=400 if form.errors else 200)


def _detail(request, transfer, location, *, receive_form=None, cancel_form=None, status=200):
    return render(request, "provider_portal/transfers/detail.html", {
        **_tabs(request, location), "transfer": transfer, "timeline": transfer_timeline(transfer),
        "steps": transfer_steps_for(request.user, transfer),
        "receive_form": receive_form or ReceiveForm(location=transfer.to_location,
                                                    initial={"received_doses": transfer.doses}),
        "cancel_form": cancel_form or CancelForm(),
    }, status=status)


@require_GET
@role_required(*PORTAL_ROLES)
def transfer_detail(request, location_id, transfer_id):
    transfer = access_transfer_by_user(request.user, location_id, transfer_id)
    return _detail(request, transfer, access_location_by_user(request.user, location_id))


@require_POST
@role_required(*STOCK_ROLES)
def transfer_ship_view(request, location_id, transfer_id):
    transfer = access_transfer_by_user(request.user, location_id, transfer_id, STOCK_ROLES)
    try:
        transfer_ship(transfer=transfer, actor=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Shipment recorded: %(doses)s doses left your inventory.")
                         % {"doses": transfer.doses})
    return redirect("provider_portal:transfer", location_id, transfer.pk)


@require_POST
@role_required(*STOCK_ROLES)
def transfer_receive_view(request, location_id, transfer_id):
    transfer = access_transfer_by_user(request.user, location_id, transfer_id, STOCK_ROLES)
    form = ReceiveForm(request.POST, location=transfer.to_location)
    if form.is_valid():
        try:
            transfer_receive(transfer=transfer, actor=request.user, **form.cleaned_data)
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("Receipt recorded: %(doses)s doses joined your inventory.")
                             % {"doses": transfer.received_doses})
            return redirect("provider_portal:transfer", location_id, transfer.pk)
    location = access_location_by_user(request.user, location_id)
    return _detail(request, transfer, location, receive_form=form, status=400)


@require_POST
@role_required(*STOCK_ROLES)
def transfer_cancel_view(request, location_id, transfer_id):
    transfer = access_transfer_by_user(request.user, location_id, transfer_id, STOCK_ROLES)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            transfer_cancel(transfer=transfer, actor=request.user, reason=form.cleaned_data["reason"])
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _("The request was cancelled; its doses are available again."))
            return redirect("provider_portal:transfer", location_id, transfer.pk)
    location = access_location_by_user(request.user, location_id)
    return _detail(request, transfer, location, cancel_form=form, status=400)


#: What each queue filter shows.
_QUEUE_STATUSES = {"": [TransferStatus.REQUESTED], "all": None,
                   "decided": [s for s in TransferStatus.values if s != TransferStatus.REQUESTED]}


def _queue(request, *, decision_forms=None, status=200):
    filters = QueueFilterForm(request.GET)
    shown = filters.cleaned_data["status"] if filters.is_valid() else ""
    rows = list(transfers_for_state(statuses=_QUEUE_STATUSES.get(shown, [shown]))[:LIST_LIMIT])
    decision_forms = decision_forms or {}
    for row in rows:
        row.decision_form = decision_forms.get(row.pk) or DecisionForm(prefix=f"t{row.pk}")
        row.decision_form.fields["comment"].label = _("Comment on request #%(n)s") % {"n": row.pk}
    return render(request, "provider_portal/transfers/queue.html", {
        "rows": rows, "filters": filters, "shown": shown, "limit": LIST_LIMIT,
    }, status=status)


@require_GET
@role_required(*STATE_ROLES)
def state_transfers(request):
    return _queue(request)


@require_POST
@role_required(*STATE_ROLES)
def state_transfer_decide(request, transfer_id):
    transfer = access_transfer_for_state(request.user, transfer_id)
    form = DecisionForm(request.POST, prefix=f"t{transfer.pk}")
    if form.is_valid():
        decide = transfer_approve if form.cleaned_data["decision"] == "approve" else transfer_reject
        try:
            decide(transfer=transfer, actor=request.user, comment=form.cleaned_data["comment"])
        except ServiceError as refusal:
            if not refusal.field:  # decided meanwhile: its row has left this list
                messages.error(request, str(refusal))
                return redirect("provider_portal:state_transfers")
            add_refusal(form, refusal)
        else:
            messages.success(request, _("Request #%(n)s: %(status)s.") % {"n": transfer.pk,
                                                                          "status": transfer.get_status_display()})
            return redirect("provider_portal:state_transfers")
    return _queue(request, decision_forms={transfer.pk: form}, status=400)


def state_home(request, locations) -> dict:
    """The Provider Portal home's part for state staff: the queue's count and a location search."""
    search = LocationSearchForm(request.GET)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    return {"search": search, "queue_count": transfers_awaiting_state_count(), "searched": bool(text),
            "locations": location_stock_summary(locations_search(locations, text))[:LIST_LIMIT]}
