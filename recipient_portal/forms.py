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


class SlotChoiceForm(UswdsFormMixin, forms.Form):
    """The time a recipient chose at a location (the booking page's confirm step)."""

    slot = forms.ModelChoiceField(
        label=_("Time"), queryset=None, widget=forms.HiddenInput,
        error_messages={"required": _("Choose a time."),
                        "invalid_choice": _("That time is not offered at this location: choose another.")})

    def __init__(self, *args, location, **kwargs):
        from cvms.appointments.models import Slot

        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = Slot.objects.filter(location=location)
