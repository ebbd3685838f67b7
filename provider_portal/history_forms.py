"""The Account History's filters."""

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import DATE_FORMATS, UswdsFormMixin
from cvms.immunizations.selectors import HistoryFilters, history_lots, history_products, history_vaccinators


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, lot):
        return f"{lot.product.display_name} — {lot.lot_number}"


class VaccinatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name()


class AccountHistoryFilterForm(UswdsFormMixin, forms.Form):
    """Every field optional; the lots, products and vaccinators offered are the location's own, so
    another location's lot is refused as any unknown choice is."""

    date_from = forms.DateField(label=_("Given from"), required=False, help_text=_("MM/DD/YYYY"),
                                input_formats=DATE_FORMATS, widget=forms.DateInput(format="%m/%d/%Y"))
    date_to = forms.DateField(label=_("Given to"), required=False, help_text=_("MM/DD/YYYY"),
                              input_formats=DATE_FORMATS, widget=forms.DateInput(format="%m/%d/%Y"))
    product = forms.ModelChoiceField(label=_("Product"), queryset=None, required=False, empty_label=_("All"))
    lot = LotChoiceField(label=_("Lot"), queryset=None, required=False, empty_label=_("All"))
    vaccinator = VaccinatorChoiceField(label=_("Vaccinator"), queryset=None, required=False, empty_label=_("All"))
    after = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    before = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = history_products(location)
        self.fields["lot"].queryset = history_lots(location)
        self.fields["vaccinator"].queryset = history_vaccinators(location)
        for name in ("product", "lot", "vaccinator"):
            self.fields[name].empty_label = _("All")  # a filter left alone keeps every dose

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    @property
    def filters(self) -> HistoryFilters:
        data = self.cleaned_data
        return HistoryFilters(date_from=data.get("date_from"), date_to=data.get("date_to"),
                              product=data.get("product"), lot=data.get("lot"), vaccinator=data.get("vaccinator"))

    def query(self, **cursor) -> str:
        """The filters as a query string, with ``cursor`` (after= or before=) for a page link."""
        params = {name: self.data.get(name, "") for name in ("date_from", "date_to", "product", "lot", "vaccinator")}
        return urlencode({k: v for k, v in {**params, **cursor}.items() if v})
