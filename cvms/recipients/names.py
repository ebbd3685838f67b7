"""Legal names as a person types them at the front desk: checked, stored in one spelling, and folded
so that the same person is found however their name was typed (case, full-width forms, look-alike
letters of another alphabet)."""

import unicodedata

from confusable_homoglyphs import confusables
from django.utils.translation import gettext as _

from cvms.core.errors import ServiceError

MAX_NAME = 100
#: What a name may hold besides letters (and the marks that accent them).
NAME_PUNCTUATION = frozenset(" -'’.")


def _letters_only(value: str) -> bool:
    return all(ch in NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LM" for ch in value) and any(
        unicodedata.category(ch)[0] == "L" for ch in value)


def text_check(value: str, *, field: str, label: str, limit: int) -> str:
    """Free text typed at the front desk as stored: NFKC, one line, inner runs of spaces one. Refuses,
    naming ``label``, control characters such as NUL and text over ``limit`` characters."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in value or ""):
        raise ServiceError(_("%(label)s contains a character that cannot be saved (such as a NUL byte); delete it and "
                             "type it again.") % {"label": label}, field=field)
    text = " ".join(unicodedata.normalize("NFKC", value or "").split())
    if len(text) > limit:
        raise ServiceError(_("%(label)s must be at most %(max)d characters.") % {"label": label, "max": limit},
                           field=field)
    return text


def name_check(value: str, *, field: str, label: str) -> str:
    """A legal name as stored: NFKC (full-width letters become plain ones), surrounding spaces gone,
    inner runs of spaces one. Refuses, naming ``label``: a blank name, one over ``MAX_NAME``
    characters, control characters such as NUL, digits or symbols."""
    name = text_check(value, field=field, label=label, limit=MAX_NAME)
    if not name:
        raise ServiceError(_("Enter the %(label)s.") % {"label": label.lower()}, field=field)
    if not _letters_only(name):
        raise ServiceError(_("%(label)s may hold letters, spaces, hyphens, apostrophes and periods only.")
                           % {"label": label}, field=field)
    return name


def alphabets_check(name: str, *, field: str, label: str) -> None:
    """Refuse a name that mixes in letters of another alphabet that look like Latin ones (a Cyrillic
    "а" in "Smаll"): it would look like the person's name and never be found by it."""
    if confusables.is_dangerous(name, preferred_aliases=["latin"]):
        mixed = next(entry["character"] for entry in confusables.is_confusable(
            name, greedy=True, preferred_aliases=["latin"]))
        raise ServiceError(_("%(label)s mixes letters of different alphabets that look alike (\"%(char)s\" is not a "
                             "Latin letter). Type the name again in one alphabet.")
                           % {"label": label, "char": mixed}, field=field)


def _latin_look_alike(ch: str) -> str:
    found = confusables.is_confusable(ch, preferred_aliases=["latin"])
    if not found:
        return ch
    latin = [glyph["c"] for glyph in found[0]["homoglyphs"] if glyph["n"].startswith("LATIN ")]
    return latin[0] if latin else ch


def person_fold(name: str) -> str:
    """A name as the duplicate check compares it: NFKC, case folded, each letter that looks like a
    Latin one replaced by it, a typographic apostrophe plain, spaces collapsed ("ЅMITH", "Ｓｍｉｔｈ"
    and "smith" are one)."""
    folded = unicodedata.normalize("NFKC", name).casefold().replace("’", "'")
    folded = "".join(_latin_look_alike(ch) if not ch.isascii() else ch for ch in folded)
    return " ".join(unicodedata.normalize("NFKC", folded).casefold().split())
