"""Forms check what a person typed (formats); what submission needs is
``services.version_problems``, shown beside the same fields."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.registry import choices as rc
from cvms.registry.services import digits_only
from enrollment.conditions import CONDITIONS
from enrollment.models import AgreementVersion, Contact, VersionLocation, VersionStatus, VersionStorageUnit


def _clean_phone(value: str) -> str:
    digits = digits_only(value)
    if value and len(digits) != 10:
        raise forms.ValidationError(_("Enter 10 digits, for example 9195555555."))
    return digits


class StartForm(UswdsFormMixin, forms.Form):
    legal_name = forms.CharField(label=_("Organization legal name"), max_length=200)
    provider_type = forms.ChoiceField(label=_("Organization type"), choices=rc.ProviderType.choices)


class SectionAForm(UswdsFormMixin, forms.ModelForm):
    conditions = forms.MultipleChoiceField(
        label=_("Conditions of the agreement"), choices=CONDITIONS, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The organization agrees to each condition: check every one."))

    class Meta:
        model = AgreementVersion
        fields = ["legal_name", "provider_type", "address_line1", "address_line2", "city", "state", "zip_code",
                  "county", "phone", "conditions"]

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])

    def clean_state(self):
        return self.cleaned_data["state"].strip().upper()


class ContactForm(UswdsFormMixin, forms.ModelForm):
    """One named person; the prefix is the contact's role."""

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "title", "email", "phone"]

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])


class LocationForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = VersionLocation
        fields = ["name", "location_type", "address_line1", "address_line2", "city", "state", "zip_code", "county",
                  "phone", "hours", "population_served"]
        widgets = {"hours": forms.Textarea(attrs={"rows": 2})}

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])

    def clean_state(self):
        return self.cleaned_data["state"].strip().upper()


class StorageUnitForm(UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = VersionStorageUnit
        fields = ["name", "kind", "min_temp_c", "max_temp_c", "has_data_logger"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_temp_c"), cleaned.get("max_temp_c")
        if low is not None and high is not None and low >= high:
            self.add_error("max_temp_c", _("The maximum must be above the minimum (%(low)s °C).") % {"low": low})
        return cleaned


StorageUnitFormSet = forms.inlineformset_factory(
    VersionLocation, VersionStorageUnit, form=StorageUnitForm, extra=1, can_delete=True, max_num=20,
    validate_max=True,
)


class SignForm(UswdsFormMixin, forms.Form):
    signed_name = forms.CharField(label=_("Your full name"), max_length=200,
                                  help_text=_("Typing your name is your signature."))
    signed_title = forms.CharField(label=_("Your title"), max_length=200)
    signed_on = forms.DateField(label=_("Date"), help_text=_("Today's date, MM/DD/YYYY."),
                                input_formats=["%m/%d/%Y", "%Y-%m-%d"],
                                widget=forms.DateInput(format="%m/%d/%Y"))
    attested = forms.BooleanField(
        label=_("I attest that I am authorized to sign for this organization, that the information in this agreement "
                "is true and complete, and that the organization will meet every condition of the agreement."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"signed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class DecisionForm(UswdsFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        (VersionStatus.APPROVED, _("Approve")),
        (VersionStatus.RETURNED, _("Return for changes")),
        (VersionStatus.REJECTED, _("Reject")),
    ])
    comments = forms.CharField(label=_("Comments to the organization"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("Required to return or reject: say what must change, or why."))


class ReviewFilterForm(UswdsFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *VersionStatus.choices])
    county = forms.CharField(label=_("County"), required=False, max_length=100)
    provider_type = forms.ChoiceField(label=_("Organization type"), required=False,
                                      choices=[("", _("Any type")), *rc.ProviderType.choices])


class RedistributionForm(UswdsFormMixin, forms.Form):
    locations = forms.ModelMultipleChoiceField(label=_("Locations covered"), queryset=None,
                                               widget=forms.CheckboxSelectMultiple,
                                               help_text=_("Vaccine may be redistributed between these locations."))
    signed_name = forms.CharField(label=_("Your full name"), max_length=200,
                                  help_text=_("Typing your name is your signature."))
    signed_title = forms.CharField(label=_("Your title"), max_length=200)
    attested = forms.BooleanField(
        label=_("I agree, for the organization, to the CDC Supplemental COVID-19 Vaccine Redistribution Agreement: "
                "vaccine moved between these locations is stored, handled and documented as CDC requires."))

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = locations
