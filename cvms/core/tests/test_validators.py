"""One email validator for uploads, forms and models: an address passes only if the mail layer
can send to it exactly as written."""

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from cvms.core.validators import is_mail_address, validate_mail_address
from cvms.uploads.tests.test_files import UNSENDABLE

SENDABLE = ["ana@example.com", "Ana.Lopez+clinic@Example.ORG", "o'neil@example.co.uk", "ana@münchen.de",
            "a_b-c%d@sub-domain.example.com", "x@" + "b" * 63 + ".com"]


@pytest.mark.parametrize("email", SENDABLE)
def test_addresses_the_mail_layer_sends_as_written_pass(email):
    assert is_mail_address(email)


@pytest.mark.parametrize("email", UNSENDABLE, ids=[ascii(e) for e in UNSENDABLE])
def test_addresses_the_mail_layer_cannot_send_as_written_fail(email):
    assert not is_mail_address(email)


def test_every_email_field_of_every_model_uses_the_one_validator():
    fields = [f for model in apps.get_models() if model.__module__.split(".")[0] in {"cvms", "enrollment"}
              for f in model._meta.get_fields() if isinstance(f, models.EmailField)]
    assert fields
    assert [f"{f.model.__name__}.{f.name}" for f in fields if validate_mail_address not in f.validators] == []


def test_the_enrollment_contact_form_refuses_a_bidi_control_in_the_address(db):
    from enrollment.forms import ContactForm

    form = ContactForm(data={"first_name": "Ana", "last_name": "Lopez", "email": "ana@example.com\u202e"})
    assert not form.is_valid() and form.errors["email"] == ["Enter a valid email address."]


def test_sign_up_refuses_an_address_the_mail_layer_cannot_encode(client, db):
    response = client.post(reverse("account_signup"), {"email": "ana@example.com\u202e", "password1": "x8!kQz#pL2vR",
                                                       "password2": "x8!kQz#pL2vR"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
