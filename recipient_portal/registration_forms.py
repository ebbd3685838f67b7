"""The COVID-19 Vaccination Registration form and the "Request a correction" form. They only read
what was typed; ``cvms.recipients.registration`` and ``cvms.recipients.requests`` hold the rules
and name the field they refuse."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import SELECT_PROMPT, UswdsFormMixin
from cvms.recipients import choices as c
from cvms.recipients.requests import MAX_DETAILS
from recipient_portal.claim_forms import ClaimFindForm

IDENTITY = ("first_name", "last_name", "date_of_birth")
#: What a record holds until someone answers (an upload carries neither).
UNANSWERED = {"sex": c.Sex.UNKNOWN, "ethnicity": c.Ethnicity.UNKNOWN}
RECORD_FIELDS = (*IDENTITY, "sex", "race", "ethnicity", "address_line1", "address_line2", "city", "state",
                 "zip_code", "county", "phone", "employer", "industry")


def _health_question(name: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=c.HEALTH_QUESTIONS[name], choices=c.HealthAnswer.choices, widget=forms.RadioSelect)


class RegistrationForm(ClaimFindForm):
    """Legal names and date of birth as everywhere a recipient gives them, then the rest of the form."""

    sex = forms.ChoiceField(label=_("Sex"), choices=c.Sex.choices)
    race = forms.MultipleChoiceField(label=_("Race"), choices=c.Race.choices, widget=forms.CheckboxSelectMultiple,
                                     help_text=_("Choose every one that applies."))
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=c.Ethnicity.choices)
    address_line1 = forms.CharField(label=_("Street address"), max_length=200,
                                    widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    address_line2 = forms.CharField(label=_("Address line 2"), required=False, max_length=200,
                                    widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))
    city = forms.CharField(label=_("City"), max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    state = forms.CharField(label=_("State"), max_length=2, help_text=_("Two letters, e.g. NC."),
                            widget=forms.TextInput(attrs={"autocomplete": "address-level1"}))
    zip_code = forms.CharField(label=_("ZIP code"), max_length=10,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}))
    county = forms.CharField(label=_("County"), max_length=100)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30,
                            help_text=_("Optional. Any format: (919) 555-0100, 919.555.0100 or +1 919 555 0100."),
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    employer = forms.CharField(
        label=_("Employer (if applicable)"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        help_text=_("Its name as your employer writes it. Not employed or retired: leave it blank and choose "
                    "\"Other\" as the industry."))
    industry = forms.ChoiceField(label=_("Industry"), choices=c.Industry.choices,
                                 help_text=_("Choose \"Other\" if you are not employed or are retired."))

    severe_allergy = _health_question("severe_allergy")
    pregnant = _health_question("pregnant")
    bleeding_disorder = _health_question("bleeding_disorder")
    immunocompromised = _health_question("immunocompromised")
    recent_covid = _health_question("recent_covid")
    recent_vaccine = _health_question("recent_vaccine")

    def __init__(self, *args, identity_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if settings.CVMS_COUNTIES:
            counties = [("", SELECT_PROMPT), *((name, name) for name in settings.CVMS_COUNTIES)]
            self.fields["county"] = forms.ChoiceField(label=_("County"), choices=counties,
                                                      widget=forms.Select(attrs={"class": "usa-select"}))
        if identity_locked:  # shown, not editable: the stored values are what is submitted
            for name in IDENTITY:
                self.fields[name].disabled = True

    @classmethod
    def initial_from(cls, recipient) -> dict:
        initial = {name: getattr(recipient, name) for name in RECORD_FIELDS}
        initial["employer"] = recipient.employer.name if recipient.employer_id else ""
        if recipient.registered_at is None:  # the record's defaults are nobody's answer: they choose
            initial.update({name: "" for name, unknown in UNANSWERED.items() if initial[name] == unknown})
        screening = getattr(recipient, "health_screening", None)
        if screening is not None:
            initial.update({name: getattr(screening, name) for name in c.HEALTH_QUESTIONS})
        return initial

    @property
    def health_fields(self):
        return [self[name] for name in c.HEALTH_QUESTIONS]

    @property
    def record_fields(self):
        return [self[name] for name in RECORD_FIELDS]

    def registration(self) -> dict:
        """The cleaned values as ``recipient_registration_complete`` takes them."""
        data = {name: self.cleaned_data[name] for name in RECORD_FIELDS}
        data["health"] = {name: self.cleaned_data[name] for name in c.HEALTH_QUESTIONS}
        return data


class CorrectionForm(UswdsFormMixin, forms.Form):
    subject = forms.ChoiceField(label=_("What needs correcting?"), choices=c.CorrectionSubject.choices)
    details = forms.CharField(label=_("What is wrong"), max_length=MAX_DETAILS,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("For a dose, say its date and where you got it."))
    wanted = forms.CharField(label=_("What it should be"), max_length=MAX_DETAILS, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
