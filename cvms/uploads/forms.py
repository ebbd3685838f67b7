"""The recipient file form every portal's upload page shows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin


class RecipientFileForm(UswdsFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Recipient Bulk Upload file"),
        help_text=_("A .csv or .xlsx file with the columns FirstName, LastName, Date of birth (MM/DD/YYYY) "
                    "and Email."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt,.tsv,text/csv,text/plain,"
                                                         "text/tab-separated-values,application/vnd."
                                                         "openxmlformats-officedocument.spreadsheetml.sheet"}),
    )
