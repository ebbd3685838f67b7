"""What the check-in search box understands: one line of text read as a name, a date of birth, an
email, a phone number, or several of them ("smith 3/14/1985"). Nothing here reads the database."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

#: The longest search the box takes; longer text is cut (no name, email and date run longer).
MAX_QUERY = 200
#: Name words the search uses: "mary ann de la cruz" is five, and more say nothing new.
MAX_NAME_WORDS = 5

_DATE_SLASHED = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-])")
_DATE_ISO = re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/.-])")
# A US number as people write it: +1, brackets, spaces, dots or hyphens between the groups.
_PHONE = re.compile(r"(?<![\w+])(?:\+?1[\s.-]*)?\(?(\d{3})\)?[\s.-]*(\d{3})[\s.-]*(\d{4})(?!\w)")
_EMAIL = re.compile(r"\S*@\S*")
# A name word: letters, with hyphens and apostrophes inside it.
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_LEFT_OVER_DIGITS = re.compile(r"\d")


@dataclass
class SearchTerms:
    """The parts of a search. ``last`` and ``first`` are set by "last, first"; otherwise the name
    words are in ``words`` and may be either name, in either order."""

    words: list[str] = field(default_factory=list)
    last: str = ""
    first: str = ""
    born: datetime.date | None = None
    email: str = ""
    phone: str = ""
    #: What could not be read, worded for the person searching ("13/45/1985 is not a date").
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.words or self.last or self.born or self.email or self.phone)


def clean_query(text: str) -> str:
    """The text as the search reads it: look-alike forms folded (NFKC: full-width digits and
    letters), control characters such as NUL dropped, at most ``MAX_QUERY`` characters."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_QUERY]
    return "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text).strip()


def _year(digits: str, *, today: datetime.date) -> int:
    """A two-digit year in the century that puts the birth date in the past (85 is 1985, 10 is 2010)."""
    if len(digits) == 4:
        return int(digits)
    year = today.year // 100 * 100 + int(digits)
    return year - 100 if year > today.year else year


def _date(year: int, month: int, day: int, written: str, terms: SearchTerms, *, today: datetime.date):
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        terms.notes.append(_("%(text)s is not a date. Type a date of birth as 3/14/1985.") % {"text": written})
        return
    if born > today:
        terms.notes.append(_("%(text)s is in the future, so it cannot be a date of birth.") % {"text": written})
        return
    terms.born = born


def _take_dates(text: str, terms: SearchTerms, today: datetime.date) -> str:
    for match in _DATE_ISO.finditer(text):
        _date(int(match[1]), int(match[2]), int(match[3]), match[0], terms, today=today)
    text = _DATE_ISO.sub(" ", text)
    for match in _DATE_SLASHED.finditer(text):
        _date(_year(match[4], today=today), int(match[1]), int(match[3]), match[0], terms, today=today)
    return _DATE_SLASHED.sub(" ", text)


def _take_phone(text: str, terms: SearchTerms) -> str:
    match = _PHONE.search(text)
    if match:
        terms.phone = "".join(match.groups())
        text = text[:match.start()] + " " + text[match.end():]
    return text


def _take_email(text: str, terms: SearchTerms) -> str:
    match = _EMAIL.search(text)
    if match:
        terms.email = match[0].strip(".,;<>()").lower()
        text = text[:match.start()] + " " + text[match.end():]
    return text


def _name_words(text: str) -> list[str]:
    return [word.lower() for word in _NAME_WORD.findall(text)][:MAX_NAME_WORDS]


def search_terms(text: str, *, today: datetime.date | None = None) -> SearchTerms:
    """Read the search box. Dates (3/14/1985, 03/14/85, 3-14-1985, 1985-03-14), a phone number in
    any common US form, an email, then name words; "last, first" with a comma names each part."""
    today = today or timezone.localdate()
    terms = SearchTerms()
    rest = _take_email(clean_query(text), terms)
    rest = _take_dates(rest, terms, today)
    rest = _take_phone(rest, terms)
    if "," in rest:
        last, _comma, first = rest.partition(",")
        terms.last, terms.first = " ".join(_name_words(last)), " ".join(_name_words(first))
        if not terms.last:
            terms.words, terms.last, terms.first = _name_words(first), "", ""
    else:
        terms.words = _name_words(rest)
    if _LEFT_OVER_DIGITS.search(_NAME_WORD.sub(" ", rest)) and not terms.notes:
        terms.notes.append(_("Numbers were left out of the search: type a date of birth as 3/14/1985 and a phone "
                             "number with its area code."))
    return terms


def name_splits(words: list[str]) -> list[tuple[str, str]]:
    """(last name, first name) readings of name words, the likeliest first: "first last", then
    "last first", each split wherever two-word names fit ("mary ann smith", "maria de la cruz")."""
    if len(words) < 2:
        return []
    firsts_first = [(" ".join(words[i:]), " ".join(words[:i])) for i in range(1, len(words))]
    lasts_first = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return firsts_first + lasts_first
