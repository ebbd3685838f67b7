"""The dashboards' filters: a date range and a product, and on a jurisdiction's dashboard a county."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import DATE_FORMATS, UswdsFormMixin
from cvms.dashboards.jurisdiction import JurisdictionScope, jurisdiction_products
from cvms.dashboards.selectors import DashboardScope, dashboard_products

#: The days shown when no range is chosen, and the longest range a page reads.
DEFAULT_DAYS = 30
MAX_DAYS = 366
#: The first and last days a filter takes: any record's, and far enough from the calendar's own
#: first and last days that a range's edges (a day before, a day after) are still dates.
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)


class DashboardFilterForm(UswdsFormMixin, forms.Form):
    """Dates (the last ``DEFAULT_DAYS`` days when none are given, at most ``MAX_DAYS``) and a vaccine."""

    start = forms.DateField(label=_("From"), required=False, help_text=_("MM/DD/YYYY"),
                            input_formats=DATE_FORMATS, widget=forms.DateInput(format="%m/%d/%Y"))
    end = forms.DateField(label=_("To"), required=False, help_text=_("MM/DD/YYYY"),
                          input_formats=DATE_FORMATS, widget=forms.DateInput(format="%m/%d/%Y"))
    product = forms.ModelChoiceField(label=_("Vaccine"), queryset=None, required=False)
    #: The filters a link carries (the CSV's, a drill-down's).
    QUERY_FIELDS = ("start", "end", "product")

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["product"].empty_label = _("All")

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name) and not FIRST_DAY <= data[name] <= LAST_DAY:
                self.add_error(name, _("Enter a date from %(first)s to %(last)s.")
                               % {"first": f"{FIRST_DAY:%m/%d/%Y}", "last": f"{LAST_DAY:%m/%d/%Y}"})
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

    def query(self, **changes) -> str:
        """The filters as a query string, with ``changes`` made (a value of None drops a filter)."""
        values = {name: self.data[name] for name in self.QUERY_FIELDS if self.data.get(name)}
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value is not None})

    def drill_link(self, county: str) -> str:
        """The page narrowed to ``county``, the other filters kept."""
        return f"?{self.query(county=county)}"


class LocationsFilterForm(DashboardFilterForm):
    """The filters of a location's or an organization's dashboard."""

    def __init__(self, *args, location_ids, **kwargs):
        self.location_ids = tuple(location_ids or ())
        super().__init__(*args, products=dashboard_products(location_ids=self.location_ids), **kwargs)

    @property
    def scope(self) -> DashboardScope:
        data = self.cleaned_data
        return DashboardScope(location_ids=self.location_ids, start=data["start"], end=data["end"],
                              product_id=data["product"].pk if data["product"] else None)


class JurisdictionFilterForm(DashboardFilterForm):
    """The filters of a jurisdiction's dashboard: one of its counties may be chosen (all by default)."""

    county = forms.ChoiceField(label=_("County"), required=False)
    QUERY_FIELDS = ("start", "end", "product", "county")

    def __init__(self, *args, counties: list[str] | None, departments: tuple[int, ...] | None = None,
                 all_counties: list[str], **kwargs):
        """``counties``: the jurisdiction's (None for the whole state, whose counties are ``all_counties``);
        ``departments``: the health departments whose invited employers it follows (None: every one)."""
        super().__init__(*args, products=jurisdiction_products(), **kwargs)
        self.counties = None if counties is None else tuple(counties)
        self.departments = departments
        self.fields["county"].choices = [("", _("All")), *((c, c) for c in all_counties or ())]
        self.order_fields(["start", "end", "product", "county"])

    @property
    def scope(self) -> JurisdictionScope:
        data = self.cleaned_data
        counties = (data["county"],) if data.get("county") else self.counties
        return JurisdictionScope(counties=counties, start=data["start"], end=data["end"],
                                 product_id=data["product"].pk if data["product"] else None,
                                 departments=self.departments)

    def drill_link(self, county: str) -> str:
        """No link to a county the filter would refuse: a location's county is typed at enrollment
        and may be empty or misspelt, and its doses are still counted under it."""
        offered = {value for value, _label in self.fields["county"].choices if value}
        return super().drill_link(county) if county in offered else ""

    def query_every_county(self) -> str:
        """The filters without the county (the link back to every county)."""
        return self.query(county=None)
