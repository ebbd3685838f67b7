"""The one rule of how the program reaches a recipient on its own."""

import pytest

from cvms.recipients.reach import EMAIL, TEXT, recipient_channel
from cvms.recipients.tests.factories import RecipientFactory


@pytest.mark.parametrize(("choice", "email", "phone", "channel"), [
    ("email", "a@example.com", "9195550100", EMAIL),
    ("email", "", "9195550100", None),
    ("text", "a@example.com", "9195550100", TEXT),
    ("text", "a@example.com", "", None),
    ("none", "a@example.com", "9195550100", None),
    ("phone", "a@example.com", "9195550100", None),
])
def test_the_channel_follows_the_recipients_choice_and_what_is_on_file(choice, email, phone, channel):
    recipient = RecipientFactory.build(contact_preference=choice, email=email, phone=phone)
    assert recipient_channel(recipient) == channel
