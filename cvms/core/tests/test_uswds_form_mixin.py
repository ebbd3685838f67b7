"""``UswdsFormMixin`` marks fields with errors for assistive technology, including fields a form
adds in its own ``__init__`` after the mixin has styled the declared ones."""

from django import forms

from cvms.core.forms import UswdsFormMixin


class LateFieldForm(UswdsFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"] = forms.ChoiceField(choices=[("yes", "Yes")], widget=forms.RadioSelect)


def test_a_field_added_after_the_mixin_is_marked_invalid_instead_of_failing():
    form = LateFieldForm({"answer": "maybe"})
    assert not form.is_valid()
    widget = form.fields["answer"].widget
    assert widget.attrs["aria-invalid"] == "true" and "usa-input--error" in widget.attrs["class"]
