"""Forms of the check-in pages: the search box and the walk-in registration. They only read what
was typed; ``recipient_register_walk_in`` holds the rules and names the field it refuses."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import SELECT_PROMPT, UswdsFormMixin
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.models import Organization
from cvms.recipients import choices as c
from cvms.recipients.search import MAX_QUERY

BIRTH_FORMATS = ["%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%Y-%m-%d"]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a recipient"), required=False, max_length=MAX_QUERY,
        help_text=_("Last name, \"first last\", \"last, first\", date of birth (3/14/1985), email or phone; or "
                    "scan the QR code of their email."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "type": "search",
                                      "class": "usa-input", "aria-describedby": "id_q-hint"}),
    )


class WalkInForm(UswdsFormMixin, forms.Form):
    """Top to bottom in the order a person answers at the desk; Tab moves field to field, dates are
    typed, Enter saves."""

    first_name = forms.CharField(label=_("Legal first name"), max_length=100,
                                 help_text=_("As on a photo ID: no nicknames or aliases."),
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}))
    last_name = forms.CharField(label=_("Legal last name"), max_length=100,
                                help_text=_("As on a photo ID: no aliases."),
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    date_of_birth = forms.DateField(label=_("Date of birth"), input_formats=BIRTH_FORMATS,
                                    help_text=_("MM/DD/YYYY, for example 03/14/1985."),
                                    widget=forms.DateInput(format="%m/%d/%Y", attrs={"inputmode": "numeric",
                                                                                     "autocomplete": "off"}))
    sex = forms.ChoiceField(label=_("Sex"), choices=c.Sex.choices)
    race = forms.MultipleChoiceField(label=_("Race"), choices=c.Race.choices, widget=forms.CheckboxSelectMultiple,
                                     help_text=_("Choose every one that applies."))
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=c.Ethnicity.choices)
    email = forms.CharField(label=_("Email"), required=False, max_length=254,
                            help_text=_("Optional. Without one, the recipient gets no second-dose reminders by email."),
                            widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30,
                            help_text=_("Optional. Any format: (919) 555-0100, 919-555-0100 or 9195550100."),
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    address_line1 = forms.CharField(label=_("Street address"), required=False, max_length=200)
    address_line2 = forms.CharField(label=_("Address line 2"), required=False, max_length=200)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    state = forms.CharField(label=_("State"), required=False, max_length=2, help_text=_("Two letters, e.g. NC."))
    zip_code = forms.CharField(label=_("ZIP code"), required=False, max_length=10,
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    county = forms.CharField(label=_("County"), required=False, max_length=100)
    employer = forms.ModelChoiceField(
        label=_("Employer (if applicable)"), required=False, queryset=Organization.objects.none(),
        help_text=_("Not employed or retired: leave the employer blank and choose \"Other\" as the industry."))
    industry = forms.ChoiceField(label=_("Industry"), choices=c.Industry.choices,
                                 help_text=_("Choose \"Other\" when the recipient is not employed or is retired."))
    preferred_language = forms.ChoiceField(label=_("Language for emails"), required=False, choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Organization.objects.filter(kind=OrganizationKind.EMPLOYER).order_by("name")
        if settings.CVMS_COUNTIES:
            counties = [("", SELECT_PROMPT), *((name, name) for name in settings.CVMS_COUNTIES)]
            self.fields["county"] = forms.ChoiceField(label=_("County"), required=False, choices=counties,
                                                      widget=forms.Select(attrs={"class": "usa-select"}))

    def walk_in(self) -> dict:
        """The cleaned values as ``recipient_register_walk_in`` takes them."""
        data = dict(self.cleaned_data)
        data["preferred_language"] = data["preferred_language"] or "en"
        return data
