from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.appointments.finder import check_finder_query
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

    def clean(self):
        data = super().clean()
        try:
            data["query"] = check_finder_query(county=data.get("county", ""), zip_code=data.get("zip_code", ""),
                                               miles=data.get("miles", ""))
        except ServiceError as error:
            self.add_error(error.field or None, str(error))
        return data
