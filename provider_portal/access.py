"""The only way the Provider Portal fetches objects: scoped to the user's location roles. State staff
see every location's pages that only read (the roles asked for are every provider role); a page that
writes asks for narrower roles, which state staff never hold at a location."""

import re

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from cvms.accounts.models import PROVIDER_ROLES, Role
from cvms.accounts.selectors import user_has_role
from cvms.appointments.models import Appointment
from cvms.appointments.roles import DAY_LIST_ROLES, SCHEDULE_ROLES
from cvms.dashboards.roles import ORGANIZATION_DASHBOARD_ROLES
from cvms.immunizations.choices import CheckInStatus
from cvms.immunizations.models import CheckIn, Immunization
from cvms.immunizations.roles import ADMINISTER_ROLES, CHECKIN_ROLES, HISTORY_ROLES
from cvms.immunizations.selectors import lots_for_back_entry
from cvms.inventory.models import InventoryLot, MarketplaceOffer, MarketplaceRequest, StockLedgerEntry, Transfer
from cvms.inventory.roles import STATE_ROLES, STOCK_ROLES, VIEW_ROLES, holds_role_at
from cvms.inventory.selectors import lots_for_administration, marketplace_open_offers, transfers_involving
from cvms.organizations.models import Location, Organization
from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload

#: The Recipient Bulk Upload process is carried out by the Healthcare Location Manager.
BULK_UPLOAD_ROLES = (Role.LOCATION_MANAGER,)
#: Who changes a location's Vaccines.gov settings; its other roles and state staff read them.
VACCINES_GOV_EDIT_ROLES = (Role.LOCATION_MANAGER, Role.VACCINE_COORDINATOR)
#: Who may open the portal's pages that only read a location: its people, and state staff everywhere.
PORTAL_ROLES = VIEW_ROLES


def locations_for_user(user, roles=PROVIDER_ROLES):
    locations = Location.objects.select_related("organization")
    if set(roles) >= set(PROVIDER_ROLES) and user_has_role(user, *STATE_ROLES):
        return locations.all()
    return locations.for_user(user, roles)


def access_location_by_user(user, location_id: int, roles=PROVIDER_ROLES) -> Location:
    return get_object_or_404(locations_for_user(user, roles), pk=location_id)


def access_upload_by_user(user, location_id: int, upload_id: int) -> RecipientUpload:
    location = access_location_by_user(user, location_id, BULK_UPLOAD_ROLES)
    return get_object_or_404(RecipientUpload.objects.select_related("location", "uploaded_by"),
                             pk=upload_id, location=location)


def access_vaccines_gov_location_by_user(user, location_id: int, *, edit: bool = False) -> Location:
    """A location whose Vaccines.gov settings ``user`` may read (any, for state staff) or, with
    ``edit``, change (a Location Manager or Vaccine Coordinator there)."""
    if edit:
        return access_location_by_user(user, location_id, VACCINES_GOV_EDIT_ROLES)
    return access_location_by_user(user, location_id)


def vaccines_gov_editable_by(user, location: Location) -> bool:
    return locations_for_user(user, VACCINES_GOV_EDIT_ROLES).filter(pk=location.pk).exists()


def access_lot_by_user(user, location_id: int, lot_id: int, roles=PROVIDER_ROLES) -> InventoryLot:
    """A lot of a location where ``user`` holds one of ``roles``; 404 otherwise."""
    location = access_location_by_user(user, location_id, roles)
    lot = get_object_or_404(InventoryLot.objects.select_related("product", "storage_unit"), pk=lot_id,
                            location=location)
    lot.location = location
    return lot


def access_entry_by_user(user, location_id: int, lot_id: int, entry_id: int, roles=PROVIDER_ROLES) -> StockLedgerEntry:
    """A ledger entry of such a lot; 404 otherwise."""
    lot = access_lot_by_user(user, location_id, lot_id, roles)
    entry = get_object_or_404(StockLedgerEntry.objects.select_related("actor"), pk=entry_id, lot=lot)
    entry.lot = lot
    return entry


# The Vaccine Marketplace: a location's own offers and requests are reached through that location,
# by its managers and coordinators; another location's open offer only to request doses of it.

def access_own_offer_by_user(user, location_id: int, offer_id: int) -> MarketplaceOffer:
    location = access_location_by_user(user, location_id, STOCK_ROLES)
    return get_object_or_404(MarketplaceOffer.objects.select_related("location", "lot__product"),
                             pk=offer_id, location=location)


def access_open_offer_by_user(user, location_id: int, offer_id: int) -> tuple[Location, MarketplaceOffer]:
    """The requesting location, and another location's open offer it may request doses of."""
    location = access_location_by_user(user, location_id, STOCK_ROLES)
    offer = get_object_or_404(
        marketplace_open_offers(for_location=location).select_related("location__organization"), pk=offer_id)
    return location, offer


def access_offer_request_to_user(user, location_id: int, request_id: int) -> MarketplaceRequest:
    """A request made on one of the location's offers, for its poster to accept or decline."""
    location = access_location_by_user(user, location_id, STOCK_ROLES)
    return get_object_or_404(MarketplaceRequest.objects.select_related("offer__location", "offer__lot", "location"),
                             pk=request_id, offer__location=location)


def access_offer_request_by_user(user, location_id: int, request_id: int) -> MarketplaceRequest:
    """A request the location made, for it to withdraw."""
    location = access_location_by_user(user, location_id, STOCK_ROLES)
    return get_object_or_404(MarketplaceRequest.objects.select_related("offer__location", "location"),
                             pk=request_id, location=location)


_TRANSFER_RELATED = ("from_location", "to_location", "lot__product", "requested_by", "decided_by", "shipped_by",
                     "received_by", "received_lot", "cancelled_by")


def access_transfer_by_user(user, location_id: int, transfer_id: int, roles=PROVIDER_ROLES) -> Transfer:
    """A transfer seen from one of its two locations, by someone who holds ``roles`` there (to read:
    state staff too)."""
    location = access_location_by_user(user, location_id, roles)
    return get_object_or_404(transfers_involving(location).select_related(*_TRANSFER_RELATED),
                             pk=transfer_id)


def access_transfer_for_state(user, transfer_id: int) -> Transfer:
    """Any transfer, for the Immunization Branch's staff only."""
    if not user_has_role(user, *STATE_ROLES):
        raise Http404
    return get_object_or_404(Transfer.objects.select_related(*_TRANSFER_RELATED), pk=transfer_id)


# Doses given: recorded by the location's vaccinators, vaccine coordinators and managers; read by
# them and by state staff.

def access_recipient_to_vaccinate_by_user(user, location_id: int, recipient_id: int) -> tuple[Location, Recipient]:
    """A location where ``user`` gives vaccine, and the recipient to vaccinate there: anyone in the
    state (a provider may vaccinate any recipient; finding them is the check-in's)."""
    location = access_location_by_user(user, location_id, ADMINISTER_ROLES)
    return location, get_object_or_404(Recipient, pk=recipient_id)


def lots_to_administer_at(location: Location, *, paper: bool = False):
    """The lots a dose may be taken from at a location reached through ``access_*`` with
    ``ADMINISTER_ROLES``: unexpired with doses available (FAQ 25), or, for a paper form, any with doses."""
    return lots_for_back_entry(location) if paper else lots_for_administration(location)


#: An id as a link's query carries it: ASCII digits within the database's range.
_QUERY_ID = re.compile(r"[0-9]{1,18}")


def query_id(value) -> int | None:
    """``value`` (a query parameter) as an id, or None when it is not one."""
    return int(value) if isinstance(value, str) and _QUERY_ID.fullmatch(value) else None


def access_checkin_for_dose(location: Location, recipient: Recipient, checkin_id, *,
                            saved_under: str | None = None) -> CheckIn | None:
    """The waiting check-in a dose closes, when ``checkin_id`` (from a link) names one of this
    recipient at this location (or the one closed by the dose recorded under the idempotency key
    ``saved_under``: the same form sent again); None for anything else."""
    pk = query_id(checkin_id)
    if pk is None:
        return None
    mine = CheckIn.objects.filter(pk=pk, location=location, recipient=recipient)
    waiting = Q(status=CheckInStatus.WAITING)
    if saved_under:
        waiting |= Q(immunization__idempotency_key=saved_under)
    return mine.filter(waiting).first()


def access_immunization_by_user(user, location_id: int, immunization_id: int, roles=HISTORY_ROLES) -> Immunization:
    """A dose given at a location where ``user`` holds one of ``roles``; state staff read any
    location's doses when ``roles`` name them."""
    if set(roles) & set(STATE_ROLES) and user_has_role(user, *STATE_ROLES):
        location = get_object_or_404(Location.objects.select_related("organization"), pk=location_id)
    else:
        location = access_location_by_user(user, location_id, roles)
    dose = get_object_or_404(Immunization.objects.select_related("recipient", "lot__product", "given_by",
                                                                 "recorded_by"),
                             pk=immunization_id, location=location)
    dose.location = location
    return dose


# The clinic floor's check-in: a location where the user holds a check-in role, and any recipient in
# the state (a provider may find and vaccinate anyone; docs/security.md says what each role sees).

def access_checkin_location_by_user(user, location_id: int) -> Location:
    return access_location_by_user(user, location_id, CHECKIN_ROLES)


def access_recipient_by_user(user, location_id: int, recipient_id: int) -> tuple[Location, Recipient]:
    """The location (a check-in role there) and any recipient of the state, for the recipient's record."""
    location = access_checkin_location_by_user(user, location_id)
    return location, get_object_or_404(Recipient.objects.select_related("employer"), pk=recipient_id)


def access_checkin_by_user(user, location_id: int, checkin_id: int) -> CheckIn:
    """A check-in of the location's queue, for someone who holds a check-in role there."""
    location = access_checkin_location_by_user(user, location_id)
    checkin = get_object_or_404(CheckIn.objects.select_related("recipient"), pk=checkin_id, location=location)
    checkin.location = location
    return checkin


# The clinic floor's Account History: the people who give vaccine at a location, and state staff.

def access_history_location_by_user(user, location_id: int) -> Location:
    """A location whose Account History (every dose given there) ``user`` may read and export: one
    where they may give vaccine, or any, for state staff; 404 otherwise."""
    if user_has_role(user, *STATE_ROLES):
        return get_object_or_404(Location.objects.select_related("organization"), pk=location_id)
    return access_location_by_user(user, location_id, ADMINISTER_ROLES)


def history_readable_by(user, location: Location) -> bool:
    """Whether ``user`` may open the location's Account History (its tab shows only then)."""
    return holds_role_at(user, location, HISTORY_ROLES)


def access_schedules_location_by_user(user, location_id: int, *, edit: bool = False) -> Location:
    """The Schedules tab: its Location Managers change it; the location's other people and state
    staff read it."""
    return access_location_by_user(user, location_id, SCHEDULE_ROLES if edit else PORTAL_ROLES)


def schedules_editable_by(user, location: Location) -> bool:
    return holds_role_at(user, location, SCHEDULE_ROLES)


def access_day_list_location_by_user(user, location_id: int) -> Location:
    """The day's appointments: for the people who check recipients in at the location."""
    return access_location_by_user(user, location_id, DAY_LIST_ROLES)


def access_appointment_by_user(user, location_id: int, appointment_id: int) -> Appointment:
    """An appointment at a location where the user runs appointments."""
    location = access_day_list_location_by_user(user, location_id)
    appointment = get_object_or_404(Appointment.objects.select_related("recipient", "slot"), pk=appointment_id,
                                    location=location)
    appointment.location = location
    return appointment


# Dashboards: a location's through the location roles above; an organization's for its administrators.

def dashboard_organizations_for_user(user):
    """Organizations whose dashboard ``user`` reads: where they are an active Organization Administrator."""
    return Organization.objects.filter(
        memberships__user=user, memberships__is_active=True,
        memberships__role__in=[str(r) for r in ORGANIZATION_DASHBOARD_ROLES],
    ).distinct().order_by("name")


def access_dashboard_organization_by_user(user, organization_id: int) -> Organization:
    return get_object_or_404(dashboard_organizations_for_user(user), pk=organization_id)
