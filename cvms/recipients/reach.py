"""How the program reaches a recipient on its own (confirmations, reminders, "your group is open"):
the one place that decides, from the recipient's choice (FAQ 31). Email to someone who chose email
and has an address, a text message to someone who chose texts and has a phone, nothing unprompted
to anyone else (``none``, or a phone call, which staff make). The senders claim their work with
``REACHABLE_SQL`` and deliver it by ``recipient_channel``, so both read the same rule."""

from cvms.recipients.choices import ContactPreference

EMAIL, TEXT = ContactPreference.EMAIL.value, ContactPreference.TEXT.value

#: The recipients (table alias ``r``) the program reaches on its own, with ``REACHABLE_PARAMS``.
REACHABLE_SQL = ("((r.contact_preference = %(reach_email)s AND r.email <> '')"
                 " OR (r.contact_preference = %(reach_text)s AND r.phone <> ''))")
REACHABLE_PARAMS = {"reach_email": EMAIL, "reach_text": TEXT}


def recipient_channel(recipient) -> str | None:
    """``EMAIL``, ``TEXT`` or ``None`` (nothing is sent unprompted)."""
    if recipient.contact_preference == EMAIL and recipient.email:
        return EMAIL
    if recipient.contact_preference == TEXT and recipient.phone:
        return TEXT
    return None
