from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.accounts.forms import NewPasswordForm
from cvms.accounts.models import User
from cvms.core.forms import UswdsFormMixin


class SetPasswordForm(NewPasswordForm):
    def __init__(self, *args, recipient, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipient = recipient

    def password_owner(self) -> User:
        return User(username=self.recipient.portal_username, email=self.recipient.email,
                    first_name=self.recipient.first_name, last_name=self.recipient.last_name)


class ResendWelcomeForm(UswdsFormMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=300,
                               help_text=_("Your username is your email followed by .covid19vaccine."))
