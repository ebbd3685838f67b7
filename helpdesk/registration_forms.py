from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cvms.accounts.forms import AccountEmailField
from cvms.core.forms import UswdsFormMixin
from cvms.core.validators import validate_mail_address


class RegisterForm(UswdsFormMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = AccountEmailField(label=_("Business email"), max_length=254, validators=[validate_mail_address])
    code = forms.CharField(label=_("Registration code"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    accept_terms = forms.BooleanField(label=_("I accept the terms and conditions"),
                                      error_messages={"required": _("Accept the terms and conditions to register.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "Your Provider PIN (for example %(example)s650001), or the generic code if you are not enrolled yet."
        ) % {"example": settings.CVMS_PIN_PREFIX}
        self.fields["code"].widget.attrs["aria-describedby"] = "id_code-hint"

    def cleaned_data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("first_name", "last_name", "email", "code")}
