"""Forms of the stock pages: receive (with a scanned barcode), waste, return, adjust and correct."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import DATE_FORMATS, UswdsFormMixin, add_refusal
from cvms.inventory import choices as c
from cvms.inventory.models import VaccineProduct
from cvms.organizations.models import StorageUnit


class IdempotentForm(UswdsFormMixin, forms.Form):
    """A hidden key made when the form is first shown: the same form sent twice records once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def key(self, action: str) -> str:
        return f"portal:{action}:{self.cleaned_data['idempotency_key']}"


class ReceiveForm(IdempotentForm):
    barcode = forms.CharField(
        label=_("Scan barcode"), required=False, max_length=200, strip=False,
        help_text=_("Scan the carton or vial (GS1 2D barcode), or type the text printed under it, then choose "
                    "Read barcode: product, lot number and expiration date are filled in."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    product = forms.ModelChoiceField(label=_("Product"), queryset=VaccineProduct.objects.exclude(mvx=""))
    lot_number = forms.CharField(label=_("Lot number"), max_length=40)
    expiration_date = forms.DateField(label=_("Expiration date"), help_text=_("MM/DD/YYYY"),
                                      input_formats=DATE_FORMATS, widget=forms.DateInput(format="%m/%d/%Y"))
    vials = forms.IntegerField(label=_("Vials"), required=False, min_value=1, max_value=100_000)
    doses = forms.IntegerField(label=_("Doses"), required=False, min_value=1, max_value=1_000_000,
                               help_text=_("Doses = vials × doses per vial. Give vials, doses, or both."))
    storage_unit = forms.ModelChoiceField(label=_("Storage unit"), queryset=None, required=False)

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["storage_unit"].queryset = (location.storage_units.all() if location else
                                                StorageUnit.objects.none())

    def scan_refused(self, refusal) -> None:
        """Show a barcode that could not be read beside the scan field of this unbound form (the
        fields below keep what was typed, with no errors of their own)."""
        self.cleaned_data = {}
        add_refusal(self, refusal)

    def clean(self):
        data = super().clean()
        if data.get("vials") is None and data.get("doses") is None and not self.has_error("vials"):
            self.add_error("vials", _("Enter the vials received, the doses, or both."))
        return data


class _QuantityForm(IdempotentForm):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)
    unit = forms.ChoiceField(label=_("Counted in"), choices=c.Unit.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class WasteForm(_QuantityForm):
    reason = forms.ChoiceField(label=_("Wastage reason"), choices=c.WasteReason.choices)
    field_order = ["reason", "quantity", "unit", "note"]


class ReturnForm(_QuantityForm):
    reason = forms.ChoiceField(label=_("Why returned"), choices=c.ReturnReason.choices)
    field_order = ["reason", "quantity", "unit", "note"]


class AdjustForm(IdempotentForm):
    doses = forms.IntegerField(
        label=_("Doses to add or remove"), min_value=-1_000_000, max_value=1_000_000,
        help_text=_("A positive number adds doses (more doses drawn from the vials than labeled); a negative "
                    "number removes them."),
    )
    note = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectForm(UswdsFormMixin, forms.Form):
    note = forms.CharField(label=_("Why the entry is wrong"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
