"""Forms of the Vaccine Marketplace tab: the offers filter, posting an offer, requesting doses."""

from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.inventory.services.marketplace import NOTE_MAX

#: The widest expiration window the filter takes, in days.
WINDOW_MAX = 365


class OfferFilterForm(UswdsFormMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=VaccineProduct.objects.all(), required=False)
    county = forms.ChoiceField(label=_("County"), required=False)
    expires_within = forms.IntegerField(label=_("Expiring within (days)"), required=False, min_value=1,
                                        max_value=WINDOW_MAX)

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("Any county")), *((c, c) for c in counties)]
        self.fields["product"].empty_label = _("Any product")


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, lot):
        return _("%(product)s, lot %(lot)s, expires %(date)s: %(doses)s doses available") % {
            "product": lot.product.display_name, "lot": lot.lot_number,
            "date": lot.expiration_date.strftime("%m/%d/%Y"), "doses": lot.available}


class OfferForm(UswdsFormMixin, forms.Form):
    lot = LotChoiceField(label=_("Lot"), queryset=None)
    doses = forms.IntegerField(label=_("Doses offered"), min_value=1, max_value=1_000_000)
    pickup_notes = forms.CharField(
        label=_("Pickup notes"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When and where the doses can be picked up, who to ask for, storage needed in transit."))

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        lots = location.lots.all() if location is not None else InventoryLot.objects.none()
        self.fields["lot"].queryset = (
            lots.filter(expiration_date__gte=timezone.localdate(), on_hand__gt=F("reserved"))
            .select_related("product").order_by("expiration_date", "lot_number"))


class OfferRequestForm(UswdsFormMixin, forms.Form):
    doses = forms.IntegerField(label=_("Doses requested"), min_value=1, max_value=1_000_000)
    note = forms.CharField(label=_("Note to the offering location"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))
