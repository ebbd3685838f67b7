"""The dashboard's filters: a date range and a product."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.dashboards.selectors import DashboardScope, dashboard_products
from provider_portal.stock_forms import DATE_FORMATS

#: The days shown when no range is chosen, and the longest range a page reads.
DEFAULT_DAYS = 30
MAX_DAYS = 366


class DashboardFilterForm(UswdsFormMixin, forms.Form):
    start = forms.DateField(label=_("From"), required=False, help_text=_("MM/DD/YYYY"),
                            input_formats=DATE_FORMATS, widget=forms.DateInput(format="%m/%d/%Y"))
    end = forms.DateField(label=_("To"), required=False, help_text=_("MM/DD/YYYY"),
                          input_formats=DATE_FORMATS, widget=forms.DateInput(format="%m/%d/%Y"))
    product = forms.ModelChoiceField(label=_("Vaccine"), queryset=None, required=False)

    def __init__(self, *args, location_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.location_ids = tuple(location_ids or ())
        self.fields["product"].queryset = dashboard_products(location_ids=self.location_ids)
        self.fields["product"].empty_label = _("All")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            self.add_error("end", _("The end date is before the start date."))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", _("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data

    @property
    def scope(self) -> DashboardScope:
        data = self.cleaned_data
        return DashboardScope(location_ids=self.location_ids, start=data["start"], end=data["end"],
                              product_id=data["product"].pk if data["product"] else None)

    def query(self) -> str:
        """The filters as a query string, for the CSV links."""
        return urlencode({name: self.data[name] for name in ("start", "end", "product") if self.data.get(name)})
