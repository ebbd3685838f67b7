from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.core.validators import validate_mail_address
from recipient_portal.forms import SetPasswordForm

BIRTH_FORMATS = ["%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%Y-%m-%d"]


class ClaimFindForm(UswdsFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Legal first name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Legal last name"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    date_of_birth = forms.DateField(label=_("Date of birth"), input_formats=BIRTH_FORMATS,
                                    help_text=_("MM/DD/YYYY, for example 03/14/1985."),
                                    widget=forms.DateInput(format="%m/%d/%Y", attrs={"inputmode": "numeric",
                                                                                     "autocomplete": "bday"}))


class ClaimCodeForm(UswdsFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=12, help_text=_("The 6 digits in the message we sent."),
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class ClaimPasswordForm(SetPasswordForm):
    """A new password, and an email to sign in with when the record has none."""

    email = forms.CharField(label=_("Email"), max_length=254, required=False, validators=[validate_mail_address],
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def __init__(self, *args, recipient, needs_email: bool, **kwargs):
        super().__init__(*args, recipient=recipient, **kwargs)
        if needs_email:
            self.fields["email"].required = True
            self.order_fields(["email", "password1", "password2"])
        else:
            del self.fields["email"]
