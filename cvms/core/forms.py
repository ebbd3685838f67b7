from django import forms

_WIDGET_CLASSES = {
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.ClearableFileInput: "usa-file-input",
    forms.FileInput: "usa-file-input",
    forms.CheckboxInput: "usa-checkbox__input",
}


class UswdsFormMixin:
    """Give every widget its USWDS class, and mark fields with errors for assistive technology."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = next((c for w, c in _WIDGET_CLASSES.items() if isinstance(field.widget, w)), "usa-input")
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] += " usa-input--error"
