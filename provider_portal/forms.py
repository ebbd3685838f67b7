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


#: The loaded recipients' registration filter (FAQ 17): a portal account, or not yet.
REGISTRATION_FILTERS = {"completed": True, "not_yet": False}


class RecipientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    registration = forms.ChoiceField(required=False, choices=[("", _("All")), ("completed", _("Completed")),
                                                              ("not_yet", _("Not yet"))])
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in
                                                      ("first_name", "last_name", "date_of_birth", "email")])
    dir = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")])
    after = forms.CharField(required=False, max_length=500)
    before = forms.CharField(required=False, max_length=500)
