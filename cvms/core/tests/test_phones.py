"""Phone numbers read as people write them, and dial from a phone."""

import pytest
from django.template import Context, Template

from cvms.core.templatetags.phones import phone, phone_link


@pytest.mark.parametrize(("stored", "shown"), [
    ("9195550100", "(919) 555-0100"),
    ("19195550100", "(919) 555-0100"),
    ("(877) 873-6247", "(877) 873-6247"),
    ("+44 20 7946 0958", "+44 20 7946 0958"),
    ("1-800-VACCINE", "1-800-VACCINE"),
    ("555", "555"),
    ("", ""),
    (None, ""),
])
def test_stored_digits_are_shown_grouped(stored, shown):
    assert phone(stored) == shown


def test_a_phone_number_links_to_dial_it():
    assert phone_link("9195550100") == '<a class="usa-link" href="tel:+19195550100">(919) 555-0100</a>'


def test_what_is_not_a_phone_number_is_shown_escaped_without_a_link():
    html = Template("{% load phones %}{{ value|phone_link }}").render(Context({"value": "<b>555</b>"}))
    assert html == "&lt;b&gt;555&lt;/b&gt;"
