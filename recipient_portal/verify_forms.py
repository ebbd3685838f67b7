from django import forms
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin

#: A card's file is about 1 KB; anything far larger is not one.
CARD_FILE_MAX_BYTES = 64 * 1024


class VerifyCardForm(UswdsFormMixin, forms.Form):
    """A pasted ``shc:/`` code or an uploaded ``.smart-health-card`` file, one of the two."""

    code = forms.CharField(label=_("Health card code"), required=False, max_length=5000,
                           help_text=_("Paste the text of the QR code; it starts with shc:/"),
                           widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}))
    card_file = forms.FileField(label=_("Or upload a health card file"), required=False,
                                help_text=_("A file whose name ends in .smart-health-card"))

    def clean_card_file(self):
        upload = self.cleaned_data["card_file"]
        if upload and upload.size > CARD_FILE_MAX_BYTES:
            raise forms.ValidationError(_("This file is too large to be a health card."))
        return upload

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("code") and not data.get("card_file"):
            raise forms.ValidationError(_("Paste a health card code or upload a health card file."))
        if data.get("code") and data.get("card_file"):
            raise forms.ValidationError(_("Paste a code or upload a file, not both."))
        return data

    def card(self) -> dict:
        """What ``health_card_verify`` takes: the text, or the file's bytes and name."""
        upload = self.cleaned_data.get("card_file")
        if upload:
            return {"text": upload.read(), "filename": upload.name}
        return {"text": self.cleaned_data["code"]}
