from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.recipients.employees import EMPLOYEE_SORTS
from cvms.uploads.forms import RecipientFileForm
from cvms.uploads.services.employers import attestation_text


class EmployeeFileForm(RecipientFileForm):
    """The recipient file, and the coordinator's attestation (FAQ 18), worded for the state."""

    attest = forms.BooleanField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attest"].label = attestation_text()
        self.fields["attest"].error_messages["required"] = _(
            "Check the box to confirm that the file lists only people who live or work in the state.")


class EmployeeSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in EMPLOYEE_SORTS])
    dir = forms.ChoiceField(required=False, choices=[("asc", "asc"), ("desc", "desc")])
    after = forms.CharField(required=False, max_length=500)
    before = forms.CharField(required=False, max_length=500)


class RemovalRequestForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why should this employee be removed?"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For example: no longer works here, or uploaded by mistake. State or help "
                                         "desk staff read it and act on the request."))
