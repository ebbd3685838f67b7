from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cvms.accounts.models import Language
from cvms.core.forms import SELECT_PROMPT, UswdsFormMixin
from cvms.core.validators import validate_mail_address
from cvms.organizations.choices import Industry


class CoordinatorInviteForm(UswdsFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Contact's first name"), max_length=100)
    last_name = forms.CharField(label=_("Contact's last name"), max_length=100)
    email = forms.EmailField(label=_("Contact's email"), max_length=254, validators=[validate_mail_address])
    language = forms.ChoiceField(label=_("Language of the invitation email"), choices=Language.choices)


class OrganizationInviteForm(CoordinatorInviteForm):
    """The employer and its contact. Every county of the jurisdiction is offered; the service
    refuses one the inviting health department does not serve, naming it."""

    name = forms.CharField(label=_("Organization name"), max_length=200)
    county = forms.ChoiceField(label=_("County"), choices=())
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    field_order = ["name", "county", "industry", "first_name", "last_name", "email", "language"]

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        offered = settings.CVMS_COUNTIES or counties
        self.fields["county"].choices = [("", SELECT_PROMPT), *((county, county) for county in offered)]
        if len(counties) == 1:
            self.fields["county"].initial = counties[0]
