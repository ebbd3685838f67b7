"""Every free-text field has a maximum: in each form and input serializer, and in the database
(no unbounded text column on a model)."""

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.contrib.postgres.forms import SimpleArrayField
from django.db import models
from rest_framework import serializers

PROJECT = ("cvms", "enrollment", "provider_portal", "recipient_portal", "organization_portal", "helpdesk")


def _import_all():
    for package in PROJECT:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if ".tests" not in info.name and ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _project_forms():
    _import_all()
    from django.contrib.admin import site

    from cvms.accounts.forms import LoginForm

    found = {f for f in _subclasses(forms.BaseForm) if f.__module__.startswith(PROJECT)}
    # The forms Django's admin builds from each registered model, and allauth's forms we serve.
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = type("Superuser", (), {"has_perm": lambda *a: True, "is_active": True})()
    for model, model_admin in site._registry.items():
        writable = model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        if model.__module__.startswith(PROJECT) and writable:
            found.add(model_admin.get_form(request, None, fields=None))
    from allauth.account import forms as allauth_forms

    found |= {LoginForm, allauth_forms.SignupForm, allauth_forms.ResetPasswordForm,
              allauth_forms.ResetPasswordKeyForm, allauth_forms.ChangePasswordForm, allauth_forms.AddEmailForm}
    return sorted(found, key=lambda f: f"{f.__module__}.{f.__qualname__}")


def _bounded(field) -> bool:
    if isinstance(field, SimpleArrayField):  # its max_length counts items; a choice is bounded
        base = field.base_field
        return field.max_length is not None and (not isinstance(base, forms.CharField) or base.max_length is not None)
    return field.max_length is not None


def _unbounded(fields):
    """Free-text inputs without a maximum. A password is not free text: it is never stored or
    shown, only hashed once."""
    return [name for name, field in fields.items() if isinstance(field, forms.CharField)
            and not isinstance(field.widget, forms.PasswordInput) and not _bounded(field)]


@pytest.mark.parametrize("form", _project_forms(), ids=lambda f: f"{f.__module__}.{f.__qualname__}")
def test_every_free_text_input_of_every_form_has_a_maximum(form, db):
    try:
        fields = form().fields  # as served: fields added in __init__ too, unused ones gone
    except (TypeError, KeyError, AttributeError):
        fields = form.base_fields  # needs arguments (a request, a user...): as declared
    assert _unbounded(fields) == []


def test_every_text_column_has_a_maximum_in_the_database():
    unbounded = [f"{model.__name__}.{field.name}" for model in apps.get_models()
                 if model.__module__.startswith(PROJECT) for field in model._meta.get_fields()
                 if isinstance(field, models.TextField)]
    assert unbounded == []


def test_every_input_serializer_bounds_its_text():
    _import_all()
    unbounded = [f"{s.__name__}.{name}" for s in _subclasses(serializers.Serializer)
                 if s.__module__.startswith(PROJECT) and not issubclass(s, serializers.ModelSerializer)
                 for name, field in s().fields.items()
                 if isinstance(field, serializers.CharField | serializers.FileField) and not field.read_only
                 and field.max_length is None]
    assert unbounded == []


def test_opening_hours_of_100_000_characters_are_refused(db):
    from enrollment.forms import LocationForm

    form = LocationForm(data={"hours": "8-5 " * 25_000})
    assert not form.is_valid()
    assert "at most 500 characters" in form.errors["hours"][0]
