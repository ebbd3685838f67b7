"""Phone numbers as people read them: ``{{ recipient.phone|phone }}`` gives ``(919) 555-0100`` for
the stored digits ``9195550100``, ``{{ number|phone_link }}`` the same inside a ``tel:`` link.
Anything that is not a possible phone number is shown as it was written, without a link."""

import phonenumbers
from django import template
from django.utils.html import format_html

register = template.Library()

#: Numbers are stored without a country code; they are North American.
DEFAULT_REGION = "US"


def _parsed(value):
    try:
        number = phonenumbers.parse(str(value or ""), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def _text(value, number) -> str:
    if number is None or any(ch.isalpha() for ch in str(value)):
        return str(value or "")  # a vanity number such as 1-800-VACCINE reads best as written
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 1
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


@register.filter
def phone(value) -> str:
    return _text(value, _parsed(value))


@register.filter
def phone_link(value) -> str:
    number = _parsed(value)
    if number is None:
        return phone(value)
    return format_html('<a class="usa-link" href="tel:{}">{}</a>',
                       phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), _text(value, number))
