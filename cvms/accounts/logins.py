"""One spelling of a login everywhere: the stored username and email, every look-up of a user by
what they typed, and the sign-in lockout's key."""

import re
import unicodedata

from django.conf import settings


def normalize_login(value: str) -> str:
    """NFKC, then case folding (Unicode's caseless match for identifiers), without surrounding space.
    NFKC once more after folding, which can leave letters decomposed (Greek with a subscript iota),
    so the result is stable: normalizing it again changes nothing.

    Spellings of the same letters become one login: any case, fullwidth ``ＮＵＲＳＥ``, the long
    ``ſ``, the KELVIN SIGN ``K``. Letters that only look alike stay apart (the dotless ``ı`` is not
    ``i``), so they match no account they imitate. Compare stored values with ``=``, never with
    PostgreSQL's ``iexact``/``UPPER``, which fold such letters by the server's locale.
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold()).strip()


def recipient_username_pattern() -> str:
    """A regular expression for a recipient's portal username: an email, the suffix, and a number
    when recipients share the email (``pat@example.com.covid19vaccine2``)."""
    return rf"{re.escape(normalize_login(settings.CVMS_RECIPIENT_USERNAME_SUFFIX))}[0-9]*$"
