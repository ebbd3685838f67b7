from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

_WIDGET_CLASSES = {
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.ClearableFileInput: "usa-file-input",
    forms.FileInput: "usa-file-input",
    forms.CheckboxInput: "usa-checkbox__input",
}

#: The dates a date field reads: as typed (MM/DD/YYYY) or as a date picker and a link send them.
DATE_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]

#: The empty first option of a drop-down list: nobody's answer is chosen for them.
SELECT_PROMPT = _("Select…")


def _prompt_first(field: forms.Field) -> None:
    """A drop-down list starts on an empty "Select…" option, never on a real choice a person may
    leave untouched (a required one is then refused, naming the field)."""
    if not isinstance(field.widget, forms.Select) or isinstance(field.widget, forms.SelectMultiple):
        return
    if isinstance(field, forms.ModelChoiceField):
        if field.required or field.empty_label is not None:
            field.empty_label = SELECT_PROMPT
        return
    if not isinstance(field, forms.ChoiceField) or isinstance(field, forms.MultipleChoiceField):
        return
    choices = list(field.choices)
    if choices and choices[0][0] in ("", None):
        if [tuple(choices[0])] == BLANK_CHOICE_DASH:
            choices[0] = ("", SELECT_PROMPT)
    elif field.required:
        choices.insert(0, ("", SELECT_PROMPT))
    field.choices = choices


class UswdsFormMixin:
    """Give every widget its USWDS class, start every drop-down list on an empty option, and mark
    fields with errors for assistive technology."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = next((c for w, c in _WIDGET_CLASSES.items() if isinstance(field.widget, w)), "usa-input")
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"
            _prompt_first(field)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                # .get: a field a form added after this mixin's __init__ has no class yet.
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} usa-input--error".strip()


def add_refusal(form: forms.Form, refusal) -> None:
    """Show a service's refusal (a ``ServiceError``) beside the field it names, else above the form."""
    form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
