from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.appointments.finder import check_county, check_finder_query, check_miles, check_zip_code
from cvms.core.errors import ServiceError
from cvms.core.forms import UswdsFormMixin


class FindVaccineForm(UswdsFormMixin, forms.Form):
    """The public search; the finder checks it (``cleaned_data["query"]``), naming the field."""

    zip_code = forms.CharField(label=_("ZIP code"), max_length=10, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}))
    miles = forms.CharField(label=_("Within (miles)"), max_length=4, required=False,
                            help_text=_("Leave empty for this ZIP code only; up to 100 miles."),
                            widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    county = forms.CharField(label=_("County"), max_length=100, required=False)

    def clean_zip_code(self):
        return _checked(check_zip_code, self.cleaned_data["zip_code"])

    def clean_miles(self):
        return _checked(check_miles, self.cleaned_data["miles"])

    def clean_county(self):
        return _checked(check_county, self.cleaned_data["county"])

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["query"] = check_finder_query(county=data.get("county", ""), zip_code=data.get("zip_code", ""),
                                               miles=data.get("miles", ""))
        except ServiceError as error:
            self.add_error(error.field or None, str(error))
        return data


def _checked(check, value):
    try:
        return check(value)
    except ServiceError as error:
        raise forms.ValidationError(str(error)) from error
