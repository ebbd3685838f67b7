from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.core.phones import phone_check
from cvms.core.validators import validate_mail_address
from cvms.recipients.choices import ContactPreference

#: What a recipient chooses for themselves (a phone call is arranged by staff, not offered here).
OFFERED = [(value, label) for value, label in ContactPreference.choices if value != ContactPreference.PHONE]


class PreferencesForm(UswdsFormMixin, forms.Form):
    email = forms.CharField(label=_("Email"), max_length=254, required=False, validators=[validate_mail_address],
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False,
                            help_text=_("Any format, for example (919) 555-5555."),
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    contact_preference = forms.ChoiceField(label=_("How should we contact you?"), choices=OFFERED)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean_phone(self):
        return phone_check(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("contact_preference")
        if choice == ContactPreference.EMAIL and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", _("Enter an email address to be contacted by email."))
        if choice == ContactPreference.TEXT and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Enter a mobile phone number to get text messages."))
        return cleaned
