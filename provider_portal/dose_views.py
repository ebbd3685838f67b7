"""The vaccine administration screen (a dose given now, or entered later from a paper form), the scan of
a vial, and the dose page with its correction and "entered in error". Every write goes through
``cvms.immunizations.services.administer``."""

import datetime
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from cvms.accounts.decorators import role_required
from cvms.core.errors import ServiceError
from cvms.immunizations import choices as c
from cvms.immunizations.models import CheckIn
from cvms.immunizations.roles import ADMINISTER_ROLES, HISTORY_ROLES
from cvms.immunizations.selectors import (
    ScannedDose,
    dose_suggestion,
    location_vaccinators,
    recipient_doses,
    scanned_dose,
)
from cvms.immunizations.services.administer import (
    NeedsConfirmation,
    immunization_edit,
    immunization_mark_entered_in_error,
    immunization_record,
)
from cvms.inventory.roles import holds_role_at
from cvms.recipients.models import Recipient
from cvms.recipients.selectors import reported_health
from provider_portal.access import (
    access_checkin_for_dose,
    access_immunization_by_user,
    access_location_by_user,
    access_recipient_to_vaccinate_by_user,
    lots_to_administer_at,
    query_id,
)
from provider_portal.dose_forms import BarcodeForm, DoseCorrectForm, DoseForm, EnteredInErrorForm, PaperNextForm


@require_http_methods(["GET", "POST"])
@role_required(*ADMINISTER_ROLES)
def dose_new(request, location_id, recipient_id):
    location, recipient = access_recipient_to_vaccinate_by_user(request.user, location_id, recipient_id)
    screen = _Screen.open(request, location, recipient)
    if request.method == "GET":
        return screen.render(request, screen.form(), status=400 if screen.scan.errors else 200)
    form = screen.form(request.POST)
    if form.is_valid() and screen.checkin_kept(form):
        dose = _saved(form, lambda confirmed: immunization_record(
            recipient=recipient, actor=request.user, checkin=screen.checkin, confirmed=confirmed,
            idempotency_key=form.key("dose"), **form.dose_values()))
        if dose is not None:
            messages.success(request, _saved_text(dose))
            if screen.checkin is not None:
                return redirect("provider_portal:checkin", location.pk)
            return redirect("provider_portal:dose", location.pk, dose.pk)
    return screen.render(request, form, status=400)


def _saved(form, save):
    """``save(confirmed)``: a warning needs "Save anyway" ticked for exactly the warnings shown. None,
    with the form saying why, when nothing was saved."""
    try:
        try:
            return save(False)
        except NeedsConfirmation as warning:
            if not form.confirms(warning.notes):
                form.needs_confirmation(warning.notes)
                return None
            return save(True)
    except NeedsConfirmation as warning:  # the records changed between the two calls: new warnings
        form.needs_confirmation(warning.notes)
    except ServiceError as refusal:
        form.refuse(refusal)
    return None


@require_GET
@role_required(*ADMINISTER_ROLES)
def dose_scan(request, location_id):
    """What a scanned vial picks, for the administration screen's script (the page works without it)."""
    location = access_location_by_user(request.user, location_id, ADMINISTER_ROLES)
    lots = list(lots_to_administer_at(location, paper=request.GET.get("paper") == "1"))
    scan = BarcodeForm(request.GET)
    if not scan.is_valid():
        return JsonResponse({"error": " ".join(scan.errors["barcode"]), "field": "barcode"}, status=400)
    try:
        scanned = scanned_dose(barcode=scan.cleaned_data["barcode"], location=location, lots=lots)
    except ServiceError as refusal:
        return JsonResponse({"error": str(refusal), "field": refusal.field}, status=400)
    return JsonResponse({"product": scanned.product.pk, "lot": scanned.lot and scanned.lot.pk,
                         "status": _scanned_text(scanned)})


@require_GET
@role_required(*HISTORY_ROLES)
def dose_detail(request, location_id, immunization_id):
    dose = access_immunization_by_user(request.user, location_id, immunization_id)
    may_change = holds_role_at(request.user, dose.location, ADMINISTER_ROLES)
    return render(request, "provider_portal/dose/detail.html", {
        "location": dose.location, "dose": dose, "recipient": dose.recipient,
        "may_change": may_change and dose.status == c.ImmunizationStatus.COMPLETED,
        "screening": [(question, dose.screening.get(key)) for key, question in c.SCREENING_QUESTIONS.items()],
        "next_paper_url": may_change and dose.source == c.ImmunizationSource.PAPER and _next_paper_url(dose),
    })


def _completed_dose_view(view):
    """A page that changes a dose: for the location's vaccinators, vaccine coordinators and managers;
    a dose already marked entered in error goes back to its page."""

    @require_http_methods(["GET", "POST"])
    @role_required(*ADMINISTER_ROLES)
    @wraps(view)
    def wrapped(request, location_id, immunization_id):
        dose = access_immunization_by_user(request.user, location_id, immunization_id, ADMINISTER_ROLES)
        if dose.status != c.ImmunizationStatus.COMPLETED:
            return _already_in_error(request, dose)
        return view(request, dose)

    return wrapped


@_completed_dose_view
def dose_correct(request, dose):
    form = DoseCorrectForm(request.POST or None, lots=_lots_for_correction(dose),
                           vaccinators=location_vaccinators(dose.location), initial=_correct_initial(dose))
    if form.is_bound and form.is_valid():
        changes = form.changes(dose)
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("provider_portal:dose", dose.location.pk, dose.pk)
        if _saved(form, lambda confirmed: immunization_edit(immunization=dose, actor=request.user,
                                                            confirmed=confirmed, **changes)):
            messages.success(request, _corrected_text(dose, changes))
            return redirect("provider_portal:dose", dose.location.pk, dose.pk)
    form.focus_first("confirm" if form.warnings else "lot")
    return render(request, "provider_portal/dose/correct.html", {
        "location": dose.location, "dose": dose, "recipient": dose.recipient, "form": form,
        "history": recipient_doses(dose.recipient), **_script_data(form.lots),
    }, status=400 if form.errors else 200)


@_completed_dose_view
def dose_entered_in_error(request, dose):
    form = EnteredInErrorForm(request.POST or None)
    form.focus_first("reason")
    if form.is_bound and form.is_valid():
        try:
            immunization_mark_entered_in_error(immunization=dose, actor=request.user,
                                               reason=form.cleaned_data["reason"])
        except ServiceError as refusal:
            if refusal.field == "status":  # marked a moment ago, in another tab or by someone else
                return _already_in_error(request, dose)
            form.add_error("reason" if refusal.field == "reason" else None, str(refusal))
        else:
            messages.success(request, _("Marked entered in error. Its dose went back to lot %(lot)s.")
                             % {"lot": dose.lot.lot_number})
            return redirect("provider_portal:dose", dose.location.pk, dose.pk)
    return render(request, "provider_portal/dose/entered_in_error.html", {
        "location": dose.location, "dose": dose, "recipient": dose.recipient, "form": form,
    }, status=400 if form.errors else 200)


def _already_in_error(request, dose):
    messages.info(request, _("This record was already marked entered in error, and its dose went back to the lot "
                             "then. Nothing changed."))
    return redirect("provider_portal:dose", dose.location.pk, dose.pk)


@require_http_methods(["GET", "POST"])
@role_required(*ADMINISTER_ROLES)
def paper_next(request, location_id):
    """The next form of a stack of paper forms: its recipient, found by legal name and date of birth
    (posted, never in an address), opens the back-entry screen with the date and lot carried on."""
    location = access_location_by_user(request.user, location_id, ADMINISTER_ROLES)
    form = PaperNextForm(request.POST or None)
    if form.is_bound and form.is_valid():
        recipient = Recipient.objects.same_person(**form.cleaned_data).first()
        if recipient is not None:
            carried = {key: request.GET[key] for key in ("on", "lot") if request.GET.get(key)}
            return redirect(_dose_new_url(location.pk, recipient.pk, {"paper": "1", **carried}))
        form.add_error(None, _("No recipient has this legal name and date of birth. Check the spelling on the "
                               "form, or find or register the recipient at check-in."))
    form.focus_first("first_name")
    return render(request, "provider_portal/dose/paper_next.html", {"location": location, "form": form},
                  status=400 if form.errors else 200)


# --- The administration screen


@dataclass
class _Screen:
    """One recipient's administration screen: the mode its link asks for (``?paper=1``, ``?checkin=``,
    a paper form's date ``on`` and ``lot`` carried from the form before), what may be chosen, and a
    scanned vial (``?barcode=``: the scan field is a form of its own, so the page works without a
    script)."""

    location: object
    recipient: Recipient
    user: object
    query: dict
    paper: bool
    checkin: CheckIn | None
    lots: list
    scan: BarcodeForm
    scanned: ScannedDose | None = None

    @classmethod
    def open(cls, request, location, recipient):
        paper = request.GET.get("paper") == "1"
        query = {key: request.GET[key] for key in ("paper", "checkin", "on", "lot") if request.GET.get(key)}
        screen = cls(location=location, recipient=recipient, user=request.user, query=query, paper=paper,
                     checkin=access_checkin_for_dose(location, recipient, query.get("checkin")),
                     lots=list(lots_to_administer_at(location, paper=paper)),
                     scan=BarcodeForm(request.GET if "barcode" in request.GET else None))
        if screen.scan.is_bound and screen.scan.is_valid() and screen.scan.cleaned_data["barcode"].strip():
            try:
                screen.scanned = scanned_dose(barcode=screen.scan.cleaned_data["barcode"], location=location,
                                              lots=screen.lots)
            except ServiceError as refusal:
                screen.scan.add_error("barcode", str(refusal))
        return screen

    @property
    def checkin_refused(self) -> bool:
        return "checkin" in self.query and self.checkin is None

    def checkin_kept(self, form) -> bool:
        """A check-in in the link that is not this recipient's, waiting here, is refused, saving nothing
        (unless this very form closed it: sent again, it answers as the first time)."""
        if self.checkin_refused:
            self.checkin = access_checkin_for_dose(self.location, self.recipient, self.query["checkin"],
                                                   saved_under=form.key("dose"))
        if self.checkin_refused:
            form.add_error(None, _("Check-in: the check-in in this page's address is not waiting at this location "
                                   "for this recipient. Go back to the check-in queue and open the recipient again."))
        return not self.checkin_refused

    def form(self, data=None) -> DoseForm:
        vaccinators = location_vaccinators(self.location)
        return DoseForm(data, lots=self.lots, vaccinators=vaccinators, paper=self.paper,
                        initial=None if data else self._initial(vaccinators))

    def _focus(self, form) -> None:
        """Where the keyboard starts: the scan field (a paper form's date, or its time when the date
        was kept from the form before); after a scan (or an Enter that keeps the lot) the screening;
        after a refusal its field; after a warning "Save anyway"."""
        if not self.lots:
            return
        if form.is_bound:
            form.focus_first("confirm" if form.warnings else None)
        elif self.scan.is_bound and not self.scan.errors:
            form.focus_first("screening_all_no")
        elif self.paper and not self.scan.is_bound:
            form.focus_first("given_time" if form["given_on"].initial else "given_on")
        else:
            self.scan.focus_first("barcode")

    def _initial(self, vaccinators) -> dict:
        history = recipient_doses(self.recipient)
        suggestion = dose_suggestion(recipient=self.recipient, location=self.location, vaccinator=self.user,
                                     history=history)
        carried = next((lot for lot in self.lots if lot.pk == query_id(self.query.get("lot"))), None)
        lot = (self.scanned.lot if self.scanned else None) or carried or next(
            (lot for lot in self.lots if suggestion.lot and lot.pk == suggestion.lot.pk), None)
        product = self.scanned.product if self.scanned else lot.product if lot else suggestion.product
        initial = {"lot": lot, "product": product, "dose_number": suggestion.dose_number,
                   "given_by": self.user if vaccinators.filter(pk=self.user.pk).exists() else None}
        if product is not None:
            initial.update(site=product.default_site, route=product.default_route,
                           dose_volume_ml=product.dose_volume_ml)
        if not self.paper:
            now = timezone.localtime()
            initial.update(given_on=now.date(), given_time=now.time().replace(second=0, microsecond=0))
        elif _iso_date(self.query.get("on")):
            initial["given_on"] = _iso_date(self.query["on"])
        return initial

    def render(self, request, form, status=200):
        self._focus(form)
        here = reverse("provider_portal:dose_new", args=[self.location.pk, self.recipient.pk])
        return render(request, "provider_portal/dose/new.html", {
            "location": self.location, "recipient": self.recipient, "history": recipient_doses(self.recipient),
            "reported_health": reported_health(self.recipient), "form": form, "scan": self.scan,
            "scanned": self.scanned and _scanned_text(self.scanned),
            "paper": self.paper, "checkin": self.checkin, "checkin_refused": self.checkin_refused,
            "query": self.query, "post_url": _with_query(here, self.query),
            "paper_url": _with_query(here, {"paper": "1"}), "screen_url": here,
            "scan_url": reverse("provider_portal:dose_scan", args=[self.location.pk]),
            **_script_data(self.lots),
        }, status=status)


def _script_data(lots) -> dict:
    """What the page's script needs to filter the lots by product and fill in the product's defaults."""
    products = {lot.product for lot in lots}
    return {"lot_products": {str(lot.pk): str(lot.product_id) for lot in lots},
            "product_defaults": {str(p.pk): {"site": p.default_site, "route": p.default_route,
                                             "volume": str(p.dose_volume_ml or "")} for p in products}}


def _iso_date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def _with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query)}" if query else url


def _dose_new_url(location_id, recipient_id, query: dict) -> str:
    return _with_query(reverse("provider_portal:dose_new", args=[location_id, recipient_id]), query)


def _next_paper_url(dose) -> str:
    return _with_query(reverse("provider_portal:paper_next", args=[dose.location.pk]),
                       {"on": dose.administered_on.isoformat(), "lot": dose.lot_id})


def _saved_text(dose) -> str:
    left = dose.lot.available
    return ngettext("Dose %(number)d recorded from lot %(lot)s: %(left)d dose left in the lot.",
                    "Dose %(number)d recorded from lot %(lot)s: %(left)d doses left in the lot.", left) % {
        "number": dose.dose_number, "lot": dose.lot.lot_number, "left": left}


def _scanned_text(scanned: ScannedDose) -> str:
    if scanned.lot is None:
        return _("Barcode read: %(product)s. Choose the lot.") % {"product": scanned.product.display_name}
    return _("Barcode read: lot %(lot)s of %(product)s.") % {"lot": scanned.lot.lot_number,
                                                            "product": scanned.product.display_name}


# --- The dose page's correction


def _lots_for_correction(dose) -> list:
    """The lots a record may move to (a paper record's: any with doses), and its own lot."""
    lots = list(lots_to_administer_at(dose.location, paper=dose.source == c.ImmunizationSource.PAPER))
    return lots if any(lot.pk == dose.lot_id for lot in lots) else [dose.lot, *lots]


def _correct_initial(dose) -> dict:
    given = timezone.localtime(dose.administered_at)
    return {"product": dose.lot.product, "lot": dose.lot, "dose_number": dose.dose_number, "site": dose.site,
            "route": dose.route, "dose_volume_ml": dose.dose_volume_ml, "given_by": dose.given_by,
            "given_on": given.date(), "given_time": given.time().replace(second=0, microsecond=0),
            "notes": dose.notes}


def _corrected_text(dose, changes: dict) -> str:
    if "lot" in changes:
        return _("Record corrected. The dose now comes from lot %(new)s, and lot %(old)s got its dose back.") % {
            "new": changes["lot"].lot_number, "old": dose.lot.lot_number}
    return _("Record corrected.")
