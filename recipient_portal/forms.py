from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from cvms.accounts.models import User
from cvms.core.forms import UswdsFormMixin


class SetPasswordForm(UswdsFormMixin, forms.Form):
    password1 = forms.CharField(label=_("New password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password (again)"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, recipient, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipient = recipient

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            probe = User(username=self.recipient.portal_username, email=self.recipient.email,
                         first_name=self.recipient.first_name, last_name=self.recipient.last_name)
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendWelcomeForm(UswdsFormMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=300,
                               help_text=_("Your username is your email followed by .covid19vaccine."))
