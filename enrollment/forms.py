"""Forms check what a person typed (formats); what submission needs is
``selectors.version_problems``, shown beside the same fields."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.core.phones import phone_check
from cvms.organizations import choices as rc
from enrollment.conditions import CONDITIONS
from enrollment.models import AgreementVersion, Contact, VersionLocation, VersionStatus, VersionStorageUnit

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI".split())
_ZIP = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")


def _clean_phone(value: str) -> str:
    return phone_check(value)


def _clean_state(value: str) -> str:
    value = value.strip().upper()
    if value and value not in US_STATES:
        raise forms.ValidationError(_("Enter the two-letter state code, for example NC."))
    return value


def _clean_zip(value: str) -> str:
    value = value.strip()
    if value and not _ZIP.match(value):
        raise forms.ValidationError(_("Enter a 5-digit ZIP code, or ZIP+4 such as 27601-1234."))
    return value


def _clean_county(value: str) -> str:
    """Counties are stored by name: "Wake", not "Wake County"."""
    value = " ".join(value.split())
    return re.sub(r"\s+county$", "", value, flags=re.IGNORECASE)


class AddressFormMixin:
    """Formats every address and phone in the agreement takes; the phone field takes what people
    type ("+1 (919) 555-0100") and keeps the digits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "phone" in self.fields:
            old = self.fields["phone"]
            self.fields["phone"] = forms.CharField(
                label=old.label, required=False, max_length=25, help_text=old.help_text,
                widget=forms.TextInput(attrs={**old.widget.attrs, "autocomplete": "tel", "inputmode": "tel"}))
        if "zip_code" in self.fields:
            self.fields["zip_code"].label = _("ZIP code")

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])

    def clean_state(self):
        return _clean_state(self.cleaned_data["state"])

    def clean_zip_code(self):
        return _clean_zip(self.cleaned_data["zip_code"])

    def clean_county(self):
        """A county of the jurisdiction's list (``CVMS_COUNTIES``), spelt as the list spells it, so a
        location counts in its health department's and the state's figures; free text without a list."""
        county = _clean_county(self.cleaned_data["county"])
        if not county or not settings.CVMS_COUNTIES:
            return county
        known = {name.casefold(): name for name in settings.CVMS_COUNTIES}
        if county.casefold() not in known:
            raise forms.ValidationError(_("Enter a county of %(jurisdiction)s, such as %(example)s.") % {
                "jurisdiction": settings.CVMS_JURISDICTION_NAME, "example": settings.CVMS_COUNTIES[0]})
        return known[county.casefold()]


class StartForm(UswdsFormMixin, forms.Form):
    legal_name = forms.CharField(label=_("Organization legal name"), max_length=200)
    provider_type = forms.ChoiceField(label=_("Organization type"), choices=rc.ProviderType.choices)


class SectionAForm(AddressFormMixin, UswdsFormMixin, forms.ModelForm):
    conditions = forms.MultipleChoiceField(
        label=_("Conditions of the agreement"), choices=CONDITIONS, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The organization agrees to each condition: check every one."))

    class Meta:
        model = AgreementVersion
        fields = ["legal_name", "provider_type", "address_line1", "address_line2", "city", "state", "zip_code",
                  "county", "phone", "conditions"]


class ContactForm(AddressFormMixin, UswdsFormMixin, forms.ModelForm):
    """One named person; the prefix is the contact's role."""

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "title", "email", "phone"]


class LocationForm(AddressFormMixin, UswdsFormMixin, forms.ModelForm):
    class Meta:
        model = VersionLocation
        fields = ["name", "location_type", "address_line1", "address_line2", "city", "state", "zip_code", "county",
                  "phone", "hours", "population_served"]
        widgets = {"hours": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True  # even a draft location needs a name to be found again


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


class _StorageUnitFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "usa-checkbox__input"


StorageUnitFormSet = forms.inlineformset_factory(
    VersionLocation, VersionStorageUnit, form=StorageUnitForm, formset=_StorageUnitFormSet, extra=1,
    can_delete=True, max_num=20, validate_max=True,
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
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Any status")), *[(v, label) for v, label in VersionStatus.choices if v != VersionStatus.DRAFT]])
    county = forms.CharField(label=_("County"), required=False, max_length=100)

    def clean_county(self):
        return _clean_county(self.cleaned_data["county"])
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

