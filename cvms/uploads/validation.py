"""Row rules for recipient uploads. Each failed row gets one message that begins ``Line <n>: ``
and lists every problem, as in the Recipient Bulk Upload User Guide.

A problem is kept as a code and its values (``Problem``), never as text: the message is worded
when someone reads it, in their language, whoever processed the file and in whatever language.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cvms.core.validators import is_mail_address
from cvms.recipients.bulk import NewRecipient
from cvms.uploads.parsing import COLUMNS, SourceRow

NAME_PUNCTUATION = frozenset(" -'’.")
MAX_NAME = 100
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
EARLIEST_BIRTH = datetime.date(1900, 1, 1)

#: (code, values): JSON as it is stored, e.g. ``["invalid_email", {"value": "bademail"}]``.
Problem = tuple[str, dict]
Identity = tuple[str, str, datetime.date]

MESSAGES = {
    "missing": gettext_noop("Required fields are missing: [%(fields)s]"),
    "invalid_characters": gettext_noop("%(column)s: invalid characters: %(value)s"),
    "too_long": gettext_noop("%(column)s: longer than %(max)s characters"),
    "invalid_email": gettext_noop("Email: invalid email address: %(value)s"),
    "invalid_date": gettext_noop("Date of birth: invalid Date of birth: %(value)s"),
    "duplicate": gettext_noop(
        "Duplicate: a recipient with the same first name, last name and date of birth already exists"),
    "duplicate_in_file": gettext_noop(
        "Duplicate: the same first name, last name and date of birth appear earlier in this file (line %(line)s)"),
    "invalid_language": gettext_noop("Language: write English or Spanish (or leave it blank): %(value)s"),
    "unstorable": gettext_noop(
        "%(column)s: contains a character that cannot be saved (such as a NUL byte); delete it and type the "
        "cell again"),
    "text": "%(text)s",  # a message kept as text, from before problems were kept as codes
}
DUPLICATE: Problem = ("duplicate", {})


def problem_text(problem) -> str:
    code, values = problem
    if code == "text":
        return values["text"]
    return _(MESSAGES[code]) % values if values else _(MESSAGES[code])


def line_message(line: int, problems) -> str:
    """``Line <n>: `` and every problem, in the active language."""
    return _("Line %(line)s: %(problems)s") % {"line": line, "problems": "; ".join(map(problem_text, problems))}


def duplicate_in_file(first_line: int) -> Problem:
    return ("duplicate_in_file", {"line": first_line})


_WITHOUT_PUNCTUATION = str.maketrans("", "", "".join(NAME_PUNCTUATION))


def valid_name(value: str) -> bool:
    """At least one letter, and nothing but letters and NAME_PUNCTUATION. Punctuation is not a
    letter, so that is: what is left without punctuation is all letters and not empty, which
    ``str.isalpha`` tells in one call instead of a Python loop per character."""
    return value.translate(_WITHOUT_PUNCTUATION).isalpha()


def parse_birth_date(value, *, today: datetime.date) -> datetime.date | None:
    if isinstance(value, datetime.date):
        date = value
    else:
        match = _DATE.match(value.strip())
        if not match:
            return None
        month, day, year = match.groups()
        try:
            date = datetime.date(int(year), int(month), int(day))
        except ValueError:
            return None
    return date if EARLIEST_BIRTH <= date <= today else None


#: What the Language column accepts (compared without case or accents), by language code.
LANGUAGE_WORDS = {"en": {"en", "eng", "english", "ingles"}, "es": {"es", "spa", "spanish", "espanol"}}
_LANGUAGE_OF_WORD = {word: code for code, words in LANGUAGE_WORDS.items() for word in words}
_UNACCENT = str.maketrans("áéíóúñ", "aeioun")


def parse_language(value: str) -> str | None:
    """A language code from the Language column; "" when blank, None when not understood."""
    if not value:
        return ""
    return _LANGUAGE_OF_WORD.get(value.lower().translate(_UNACCENT))


def _name_problem(column: str, value: str) -> Problem | None:
    if not valid_name(value):
        return ("invalid_characters", {"column": column, "value": value})
    if len(value) > MAX_NAME:
        return ("too_long", {"column": column, "max": MAX_NAME})
    return None


def check_row(row: SourceRow, *, today: datetime.date) -> tuple[NewRecipient | None, list[Problem], Identity | None]:
    """Validate one row: ``(recipient to create or None, problems, identity)``. The identity (first, last,
    date of birth, lowercased) is there whenever all three are readable, even if the row has
    other problems, so that a duplicate is reported together with them."""
    # Once per row of a million-row file: the common case (a good row) takes the short path.
    first, last, birth_cell, email, language_cell = row.fields
    first, last, email, language_cell = first.strip(), last.strip(), email.strip(), language_cell.strip()
    birth = parse_birth_date(birth_cell, today=today) if birth_cell else None
    language = parse_language(language_cell)
    if (birth is not None and first and last and email and language is not None and not row.unstorable
            and valid_name(first) and valid_name(last) and len(first) <= MAX_NAME and len(last) <= MAX_NAME
            and is_mail_address(email)):
        return (NewRecipient(first, last, birth, email.lower(), language),
                [], (first.lower(), last.lower(), birth))
    birth_text = birth_cell.strip() if type(birth_cell) is str else birth_cell.strftime("%m/%d/%Y")
    problems: list[Problem] = [("unstorable", {"column": column}) for column in row.unstorable]
    missing = [column for column, value in zip(COLUMNS, (first, last, birth_text, email), strict=True) if not value]
    if missing:
        problems.append(("missing", {"fields": ", ".join(missing)}))
    for column, value in (("FirstName", first), ("LastName", last)):
        if value and (problem := _name_problem(column, value)):
            problems.append(problem)
    if email and not is_mail_address(email):
        problems.append(("invalid_email", {"value": email}))
    if birth_text and birth is None:
        problems.append(("invalid_date", {"value": birth_text}))
    if language is None:
        problems.append(("invalid_language", {"value": language_cell}))
    identity = (first.lower(), last.lower(), birth) if first and last and birth is not None else None
    return None, problems, identity


@dataclass(slots=True)
class CheckedRows:
    """A chunk of rows, checked: who to create, and the rows that fail with their problems so far."""

    candidates: list[tuple[SourceRow, NewRecipient, Identity]]
    failing: list[tuple[SourceRow, list[Problem], Identity | None]]
    #: Identities of failing rows not already reported as repeated in the file: a duplicate of a
    #: stored recipient is reported together with their other problems.
    unflagged: list[Identity]


def check_rows(rows: list[SourceRow], *, seen: dict, today: datetime.date) -> CheckedRows:
    """Check a chunk of rows, without the database. ``seen`` maps each identity to create to its
    line and carries over from chunk to chunk."""
    checked = CheckedRows([], [], [])
    for row in rows:
        person, problems, identity = check_row(row, today=today)
        if identity is not None and identity in seen:
            problems.append(duplicate_in_file(seen[identity]))
            checked.failing.append((row, problems, identity))
        elif problems:
            checked.failing.append((row, problems, identity))
            if identity is not None:
                checked.unflagged.append(identity)
        else:
            seen[identity] = row.line
            checked.candidates.append((row, person, identity))
    return checked
