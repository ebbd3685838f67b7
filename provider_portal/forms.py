from django import forms
from django.utils.translation import gettext_lazy as _

#: The loaded recipients' registration filter (FAQ 17): the registration form completed, or not yet.
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
