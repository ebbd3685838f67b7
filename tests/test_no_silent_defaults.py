"""No required choice is made for anyone: every drop-down list of a required choice starts on an
empty "Select…" option and no required choice (list or radio buttons) comes with an answer already
picked, so a form left untouched is refused, naming the field."""

import inspect
import re

import pytest
from django import forms
from django.urls import reverse

from enrollment.models import AgreementVersion
from tests.test_free_text_limits import PROJECT, _import_all, _subclasses


def _project_form_classes():
    _import_all()
    from allauth.account import forms as allauth_forms

    from cvms.accounts.forms import LoginForm

    # Admin forms (modules ``admin`` and ``*_admin``) edit stored rows, whose current values are
    # rightly shown chosen.
    found = {f for f in _subclasses(forms.BaseForm)
             if f.__module__.startswith(PROJECT) and not f.__module__.rsplit(".", 1)[-1].endswith("admin")}
    found |= {LoginForm, allauth_forms.SignupForm, allauth_forms.ResetPasswordForm, allauth_forms.AddEmailForm}
    return sorted(found, key=lambda f: f"{f.__module__}.{f.__qualname__}")


def _as_served(form_class):
    """The form as a page builds it: arguments it requires by keyword are given as None."""
    required = {name: None for name, p in inspect.signature(form_class.__init__).parameters.items()
                if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
    return form_class(**required)


def _required_single_choices(form):
    return [(name, field) for name, field in form.fields.items()
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField)
            and field.required and not field.widget.is_hidden]


def _preselected(form, name, field) -> str | None:
    """What a browser would submit for this field if the person never touched it."""
    initial = form[name].initial
    if initial not in (None, ""):
        return str(initial)
    if isinstance(field.widget, forms.Select):
        first = next(iter(field.widget.options(form.add_prefix(name), [])), None)
        return None if first is None or first["value"] in ("", None) else str(first["value"])
    return None


@pytest.mark.parametrize("form_class", _project_form_classes(), ids=lambda f: f"{f.__module__}.{f.__qualname__}")
def test_no_required_choice_is_preselected(form_class, db):
    form = _as_served(form_class)
    picked = {name: value for name, field in _required_single_choices(form)
              if (value := _preselected(form, name, field)) is not None}
    assert picked == {}


def test_start_form_lists_organization_types_after_an_empty_select_option(db):
    from enrollment.forms import StartForm

    options = list(StartForm()["provider_type"].field.widget.options("provider_type", []))
    assert (options[0]["value"], str(options[0]["label"])) == ("", "Select…")
    assert options[1]["label"] == "Hospital"


def _untouched_select_value(html: str, name: str) -> str:
    """What a browser submits for a drop-down list nobody touched: the selected option, else the first."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select)
    return next((value for value, attrs in options if "selected" in attrs), options[0][0])


def test_starting_an_enrollment_without_choosing_a_type_is_refused_naming_the_field(client, outsider):
    client.force_login(outsider)
    page = client.get(reverse("enrollment:start")).content.decode()
    untouched = _untouched_select_value(page, "provider_type")
    response = client.post(reverse("enrollment:start"), {"legal_name": "Corner Pharmacy", "provider_type": untouched})
    assert response.status_code == 200
    assert "Organization type: This field is required." in response.content.decode()
    assert not AgreementVersion.objects.filter(legal_name="Corner Pharmacy").exists()
