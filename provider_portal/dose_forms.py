"""Forms of the vaccine administration screen, its back-entry mode for paper forms, and the dose
page's correction and "entered in error" forms. The rules are the services'; these parse."""

import datetime
import hashlib

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms.utils import from_current_timezone
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cvms.core.forms import DATE_FORMATS, SELECT_PROMPT, UswdsFormMixin, add_refusal
from cvms.immunizations import choices as c
from cvms.inventory.models import InventoryLot, VaccineProduct
from provider_portal.stock_forms import IdempotentForm

TIME_FORMATS = ["%H:%M", "%I:%M %p", "%I:%M%p", "%I:%M %P", "%H%M"]
#: A question's form field: ``screening_<key>``.
SCREENING_PREFIX = "screening_"


def warnings_digest(notes: list[str]) -> str:
    """What "Save anyway" confirms: exactly the warnings shown, not others a changed form raises."""
    return hashlib.sha256("\n".join(notes).encode()).hexdigest()[:32]


class FocusMixin:
    def focus_first(self, name: str | None = None) -> None:
        """The field the keyboard starts in: the first with an error, else the one named."""
        name = next((n for n in self.fields if n in self.errors), None) or name
        if name in self.fields:
            self.fields[name].widget.attrs["autofocus"] = True


class BarcodeForm(FocusMixin, UswdsFormMixin, forms.Form):
    """The scan field: a form of its own, so a scanner's Enter reads the barcode and an Enter anywhere
    in the dose form saves the dose."""

    barcode = forms.CharField(
        label=_("Scan the vial"), required=False, max_length=200, strip=False,
        help_text=_("Scan the vial or carton (GS1 barcode) to choose its lot, or press Enter to keep the lot shown."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class _DoseFields(FocusMixin, IdempotentForm):
    """What a dose is: product and lot, dose number, site, route, volume, vaccinator, time, notes."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=VaccineProduct.objects.none())
    lot = forms.ModelChoiceField(
        label=_("Lot"), queryset=InventoryLot.objects.none(),
        error_messages={"invalid_choice": _("Choose a lot of this location that has doses available and has "
                                            "not expired.")},
    )
    dose_number = forms.IntegerField(label=_("Dose number"), min_value=1, max_value=6)
    site = forms.ChoiceField(label=_("Site"), choices=c.Site.choices, required=False,
                             help_text=_("Left empty: the product's usual site."))
    route = forms.ChoiceField(label=_("Route"), choices=c.Route.choices, required=False,
                              help_text=_("Left empty: the product's usual route."))
    dose_volume_ml = forms.DecimalField(label=_("Dose volume (mL)"), required=False, max_digits=4, decimal_places=2,
                                        min_value=0.01, max_value=2,
                                        help_text=_("Left empty: the product's dose volume."))
    given_by = forms.ModelChoiceField(label=_("Vaccinator"), queryset=None)
    given_on = forms.DateField(label=_("Date given"), help_text=_("MM/DD/YYYY"), input_formats=DATE_FORMATS,
                               widget=forms.DateInput(format="%m/%d/%Y"))
    given_time = forms.TimeField(label=_("Time given"), help_text=_("For example 14:30 or 2:30 PM"),
                                 input_formats=TIME_FORMATS, widget=forms.TimeInput(format="%H:%M"))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("Save anyway: I have checked these warnings"), required=False)
    warnings_seen = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    #: Where a service's refusal of a field is shown.
    REFUSAL_FIELDS = {"administered_at": "given_on", "idempotency_key": None, "actor": None}

    def __init__(self, *args, lots, vaccinators, **kwargs):
        super().__init__(*args, **kwargs)
        lots = list(lots) if lots is not None else []
        self.lots = lots
        self.fields["lot"].queryset = InventoryLot.objects.filter(pk__in=[lot.pk for lot in lots]).select_related(
            "product")
        self.fields["lot"].choices = _lot_choices(lots)
        self.fields["product"].queryset = VaccineProduct.objects.filter(pk__in={lot.product_id for lot in lots})
        self.fields["given_by"].queryset = (vaccinators if vaccinators is not None
                                            else get_user_model().objects.none())
        self.fields["given_by"].label_from_instance = _person
        self.order_fields(["confirm"])
        self.warnings: list[str] = []

    def administered_at(self) -> datetime.datetime:
        return self.cleaned_data["administered_at"]

    def clean(self):
        data = super().clean()
        lot, product = data.get("lot"), data.get("product")
        if lot is not None and product is not None and lot.product_id != product.pk:
            self.add_error("lot", _("Lot %(lot)s is %(lot_product)s, not %(product)s: choose a lot of the product.")
                           % {"lot": lot.lot_number, "lot_product": lot.product.display_name,
                              "product": product.display_name})
        if data.get("given_on") and data.get("given_time"):
            try:
                data["administered_at"] = from_current_timezone(
                    datetime.datetime.combine(data["given_on"], data["given_time"]))
            except ValidationError as invalid:
                self.add_error("given_time", invalid)
        return data

    def needs_confirmation(self, notes: list[str]) -> None:
        """Show ``notes`` (a ``NeedsConfirmation``: warnings, not refusals) above the "Save anyway" box,
        unticked."""
        self.warnings = notes
        self.data = self.data.copy()
        self.data.pop("confirm", None)
        self.data["warnings_seen"] = warnings_digest(notes)

    def confirms(self, notes: list[str]) -> bool:
        """Whether "Save anyway" was ticked for exactly these warnings."""
        data = self.cleaned_data
        return bool(data.get("confirm")) and data.get("warnings_seen") == warnings_digest(notes)

    def refuse(self, refusal) -> None:
        """A service's refusal beside the field it names (a screening answer beside its question)."""
        name = self.REFUSAL_FIELDS.get(refusal.field, refusal.field)
        if refusal.field == "screening":
            name = next((SCREENING_PREFIX + key for key in c.SCREENING_QUESTIONS
                         if not self.data.get(SCREENING_PREFIX + key)), "screening_all_no")
        refusal.field = name
        add_refusal(self, refusal)


class DoseForm(_DoseFields):
    """A new dose on the administration screen, or from a paper form (``paper``)."""

    screening_all_no = forms.BooleanField(label=_("All answers No"), required=False)
    consent_given = forms.BooleanField(label=_("The recipient (or their guardian) gave consent for this dose"),
                                       required=False)

    def __init__(self, *args, lots, vaccinators, paper: bool = False, **kwargs):
        super().__init__(*args, lots=lots, vaccinators=vaccinators, **kwargs)
        self.paper = paper
        for key, question in c.SCREENING_QUESTIONS.items():
            self.fields[SCREENING_PREFIX + key] = forms.ChoiceField(
                label=question, choices=c.Answer.choices, required=False,
                widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}))
        # The questions come before "All answers No", consent and the notes.
        order = [n for n in self.fields if n not in ("screening_all_no", "consent_given", "notes", "confirm")]
        self.order_fields(["confirm", *order, "screening_all_no", "consent_given", "notes"])

    @property
    def questions(self):
        return [self[SCREENING_PREFIX + key] for key in c.SCREENING_QUESTIONS]

    def screening(self) -> dict:
        """The answers given; "All answers No" answers the questions left open."""
        data = self.cleaned_data
        answers = {key: data[SCREENING_PREFIX + key] for key in c.SCREENING_QUESTIONS
                   if data.get(SCREENING_PREFIX + key)}
        if data.get("screening_all_no"):
            answers = {key: answers.get(key, c.Answer.NO) for key in c.SCREENING_QUESTIONS}
        return answers

    def dose_values(self) -> dict:
        """The dose as ``immunization_record`` takes it; what is left empty defaults from the product."""
        data = self.cleaned_data
        return {"lot": data["lot"], "given_by": data["given_by"], "dose_number": data["dose_number"],
                "site": data["site"] or None, "route": data["route"] or None,
                "dose_volume_ml": data["dose_volume_ml"], "administered_at": self.administered_at(),
                "screening": self.screening(), "consent_given": data["consent_given"], "notes": data["notes"],
                "source": c.ImmunizationSource.PAPER if self.paper else c.ImmunizationSource.SCREEN}

    def clean(self):
        data = super().clean()
        yes = [key for key in c.SCREENING_QUESTIONS if data.get(SCREENING_PREFIX + key) == c.Answer.YES]
        if data.get("screening_all_no") and yes:
            self.add_error("screening_all_no", _("“All answers No” is ticked, but “%(question)s” is answered Yes.")
                           % {"question": c.SCREENING_QUESTIONS[yes[0]]})
        return data


class DoseCorrectForm(_DoseFields):
    """The dose page's correction: the same fields, starting from the record."""

    def changes(self, record) -> dict:
        """The values that differ from ``record`` (a time typed to the minute is unchanged when it is
        the record's own minute)."""
        data = self.cleaned_data
        typed = {"lot": data["lot"], "dose_number": data["dose_number"], "site": data["site"] or record.site,
                 "route": data["route"] or record.route, "given_by": data["given_by"], "notes": data["notes"].strip(),
                 "dose_volume_ml": record.dose_volume_ml if data["dose_volume_ml"] is None else data["dose_volume_ml"]}
        changes = {name: value for name, value in typed.items() if getattr(record, name) != value}
        at = self.administered_at()
        if at != timezone.localtime(record.administered_at).replace(second=0, microsecond=0):
            changes["administered_at"] = at
        return changes


class EnteredInErrorForm(FocusMixin, UswdsFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why this record is wrong"), max_length=2000,
                             help_text=_("For example: recorded for the wrong recipient, or recorded twice."),
                             widget=forms.Textarea(attrs={"rows": 3}))


class PaperNextForm(FocusMixin, UswdsFormMixin, forms.Form):
    """The next paper form's recipient, as written on it: legal name and date of birth find exactly
    one person (the same person is one record)."""

    first_name = forms.CharField(label=_("Legal first name"), max_length=100)
    last_name = forms.CharField(label=_("Legal last name"), max_length=100)
    date_of_birth = forms.DateField(label=_("Date of birth"), help_text=_("MM/DD/YYYY"), input_formats=DATE_FORMATS,
                                    widget=forms.DateInput(format="%m/%d/%Y"))


def _person(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.email})" if name else user.email


def _lot_label(lot) -> str:
    return ngettext("%(lot)s (expires %(date)s, %(available)d dose available)",
                    "%(lot)s (expires %(date)s, %(available)d doses available)", lot.available) % {
        "lot": lot.lot_number, "date": date_format(lot.expiration_date, "SHORT_DATE_FORMAT"),
        "available": lot.available}


def _lot_choices(lots) -> list:
    """The lots under their product's name, so the list reads product first without a script."""
    groups: dict = {}
    for lot in lots:
        groups.setdefault(lot.product.display_name, []).append((lot.pk, _lot_label(lot)))
    return [("", SELECT_PROMPT), *groups.items()]
