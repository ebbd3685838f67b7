"""The help desk's forms: they parse what was typed; ``helpdesk.services`` holds the rules."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.organizations.models import Location
from helpdesk.kb_forms import kb_suggest_attrs
from helpdesk.kb_models import Audience
from helpdesk.models import PROVIDER_REQUEST_TYPES, RECIPIENT_REQUEST_TYPES
from helpdesk.services import MAX_ORGANIZATION, MAX_TEXT


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _attachments_hint():
    return _("Up to %(count)d files of at most %(size)s each: %(types)s.") % {
        "count": settings.CVMS_CASE_ATTACHMENTS_PER_MESSAGE,
        "size": filesizeformat(settings.CVMS_CASE_ATTACHMENT_MAX_BYTES),
        "types": ", ".join(settings.CVMS_CASE_ATTACHMENT_TYPES)}


def _attachments_field():
    return MultipleFileField(label=_("Attachments"), help_text=lazy(_attachments_hint, str)())


def _description_field(label=None, *, audience: str):
    """The description, with knowledge base articles suggested as it is typed (``js/kb-suggest.js``)."""
    return forms.CharField(label=label or _("Description of request"), max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 6, **kb_suggest_attrs(audience)}))


class ProviderCaseForm(UswdsFormMixin, forms.Form):
    """Get Help. ``default_organization`` is "Generic Vaccine Provider" or the provider's primary one."""

    provider_organization = forms.CharField(
        label=_("Organization name"), max_length=MAX_ORGANIZATION, required=False,
        help_text=_("The first time, type the name of your primary provider organization. Later, leave it blank for "
                    "your primary organization or type the name of another (secondary) one."))
    request_type = forms.ChoiceField(label=_("Request type"), choices=[(t.value, t.label)
                                                                      for t in PROVIDER_REQUEST_TYPES])
    description = _description_field(audience=Audience.PROVIDER)
    attachments = _attachments_field()
    #: The loaded recipient a removal is asked for (the "Request removal" link of Bulk Registration).
    about = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)


class RecipientCaseForm(UswdsFormMixin, forms.Form):
    """The public form. ``website`` is a honeypot: hidden from people, filled in by robots."""

    requester_name = forms.CharField(label=_("Your name"), max_length=100)
    requester_email = forms.CharField(label=_("Email"), max_length=254, required=False,
                                      help_text=_("Give an email or a phone number so we can answer you."))
    requester_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    request_type = forms.ChoiceField(label=_("Request type"), choices=[(t.value, t.label)
                                                                      for t in RECIPIENT_REQUEST_TYPES])
    description = _description_field(_("How can we help?"), audience=Audience.RECIPIENT)
    website = forms.CharField(label=_("Leave this field empty"), max_length=200, required=False)


class CaseReplyForm(UswdsFormMixin, forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = _attachments_field()


class OnboardingForm(UswdsFormMixin, forms.Form):
    """HCP User Onboarding: the template, filled in, with a description."""

    provider_organization = ProviderCaseForm.base_fields["provider_organization"]
    description = _description_field(audience=Audience.PROVIDER)
    file = forms.FileField(label=_("HCP User Onboarding Template"),
                           help_text=_("The template filled in: one person a row (Name, Email, Location PIN, Role), "
                                       "saved as .csv or .xlsx."))


class RecipientUploadForm(UswdsFormMixin, forms.Form):
    """Recipient Bulk Upload: a recipient file of any number of rows for one of the provider's locations."""

    provider_organization = ProviderCaseForm.base_fields["provider_organization"]
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none(),
                                      help_text=_("The location whose recipients the file lists."))
    description = _description_field(audience=Audience.PROVIDER)
    file = forms.FileField(label=_("Recipient file"),
                           help_text=_("CSV or XLSX with the columns FirstName, LastName, Date of birth and Email; "
                                       "any number of rows."))

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        if locations is not None:
            self.fields["location"].queryset = locations
