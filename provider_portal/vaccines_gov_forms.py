from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.vaccines_gov.choices import WEEKDAYS, SupplyLevel
from cvms.vaccines_gov.models import HOURS_MAX


def _url(label):
    return forms.CharField(label=label, required=False, max_length=500,
                           widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}))


class _SettingsFields(forms.Form):
    """The formats; the rules (a phone or a pre-screening address when shown, web addresses) are the
    service's, shown beside these fields. The page's product rows come as ``rows``."""

    public_display = forms.BooleanField(label=_("Show this location on Vaccines.gov"), required=False)
    public_phone = forms.CharField(label=_("Public phone"), required=False, max_length=25,
                                   widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    web_address = _url(_("Booking web address"))
    pre_screen_address = _url(_("Pre-screening web address"))
    provider_notes = forms.CharField(label=_("Provider notes"), required=False, max_length=500,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    walkins_accepted = forms.BooleanField(label=_("Walk-ins accepted"), required=False)
    insurance_accepted = forms.BooleanField(label=_("Insurance accepted"), required=False)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6,
                                   min_value=-180, max_value=180)

    def __init__(self, data=None, *, rows, **kwargs):
        """Adds the hours and a pair of fields per product row before ``UswdsFormMixin`` styles them."""
        super().__init__(data, **kwargs)
        for field, day in WEEKDAYS:
            self.fields[field] = forms.CharField(
                label=day, required=False, max_length=HOURS_MAX,
                help_text=_('For example "8:00 AM - 5:00 PM", or "Closed".'))
        self.products = []
        for row in rows or []:
            name = row.product.display_name
            stock, supply = f"in_stock_{row.product.pk}", f"supply_level_{row.product.pk}"
            self.fields[stock] = forms.BooleanField(label=_("%(product)s: in stock") % {"product": name},
                                                    required=False, initial=row.in_stock)
            self.fields[supply] = forms.TypedChoiceField(
                label=_("%(product)s: supply level") % {"product": name}, coerce=int,
                choices=SupplyLevel.choices,
                initial=row.setting.supply_level if row.setting else None)
            self.products.append((row, self[stock], self[supply]))


class VaccinesGovSettingsForm(UswdsFormMixin, _SettingsFields):
    """A location's settings, then an in-stock box and a supply level per product row (a product
    never rated starts on "Select…": nobody's supply level is chosen for them)."""

    def __init__(self, data=None, *, rows, **kwargs):
        super().__init__(data, rows=rows, **kwargs)

    def settings_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.cleaned_data
                if not name.startswith(("in_stock_", "supply_level_"))}

    def product_values(self) -> dict[int, dict]:
        return {row.product.pk: {"in_stock": self.cleaned_data[f"in_stock_{row.product.pk}"],
                                 "supply_level": self.cleaned_data[f"supply_level_{row.product.pk}"]}
                for row, _stock, _supply in self.products}
