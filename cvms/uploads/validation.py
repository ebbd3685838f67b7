"""Row rules for recipient uploads. Each failed row gets one message that begins ``Line <n>: ``
and lists every problem, as in the Recipient Bulk Upload User Guide."""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cvms.uploads.parsing import COLUMNS, FIELD_OF_COLUMN, SourceRow

NAME_PUNCTUATION = frozenset(" -'’.")
MAX_NAME = 100
MAX_EMAIL = 254
_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_EMAIL = re.compile(r"^[^@\s]+@([^@\s]+)$")
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class CleanRow:
    line: int
    first_name: str
    last_name: str
    date_of_birth: datetime.date
    email: str

    @property
    def identity(self) -> tuple[str, str, datetime.date]:
        return (self.first_name.lower(), self.last_name.lower(), self.date_of_birth)


_WITHOUT_PUNCTUATION = str.maketrans("", "", "".join(NAME_PUNCTUATION))


def valid_name(value: str) -> bool:
    """At least one letter, and nothing but letters and NAME_PUNCTUATION. Punctuation is not a
    letter, so that is: what is left without punctuation is all letters and not empty, which
    ``str.isalpha`` tells in one call instead of a Python loop per character."""
    return value.translate(_WITHOUT_PUNCTUATION).isalpha()


def valid_email(value: str) -> bool:
    match = _EMAIL.match(value)
    if not match or len(value) > MAX_EMAIL:
        return False
    domain = match.group(1)
    return "." in domain and all(domain.split("."))


def parse_birth_date(value, *, today: datetime.date) -> datetime.date | None:
    if isinstance(value, datetime.date):
        date = value
    else:
        match = _DATE.match(value)
        if not match:
            return None
        month, day, year = (int(g) for g in match.groups())
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            return None
    return date if EARLIEST_BIRTH <= date <= today else None


def _text(value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%m/%d/%Y")
    return str(value or "").strip()


@dataclass(frozen=True)
class RowCheck:
    clean: CleanRow | None
    problems: list[str]
    #: (first, last, date of birth) lowercased when all three are readable, even if the row has
    #: other problems, so a duplicate is reported together with them.
    identity: tuple[str, str, datetime.date] | None


_FIELDS = tuple(FIELD_OF_COLUMN.values())


def check_row(row: SourceRow, *, today: datetime.date) -> RowCheck:
    """Validate one row: the clean row, or None and the list of problems (no line prefix)."""
    # Once per row of a million-row file: text cells (every CSV cell) are stripped directly.
    given = row.fields
    fields = {}
    for name in _FIELDS:
        value = given.get(name)
        fields[name] = value.strip() if type(value) is str else _text(value)
    problems = []
    missing = [column for column in COLUMNS if not fields[FIELD_OF_COLUMN[column]]]
    if missing:
        problems.append(_("Required fields are missing: [%(fields)s]") % {"fields": ", ".join(missing)})
    for column in ("FirstName", "LastName"):
        value = fields[FIELD_OF_COLUMN[column]]
        if value and not valid_name(value):
            problems.append(_("%(column)s: invalid characters: %(value)s") % {"column": column, "value": value})
        elif len(value) > MAX_NAME:
            problems.append(_("%(column)s: longer than %(max)s characters") % {"column": column, "max": MAX_NAME})
    email = fields["email"]
    if email and not valid_email(email):
        problems.append(_("Email: invalid email address: %(value)s") % {"value": email})
    birth = None
    if fields["date_of_birth"]:
        birth = parse_birth_date(row.fields.get("date_of_birth"), today=today)
        if birth is None:
            problems.append(_("Date of birth: invalid Date of birth: %(value)s") % {"value": fields["date_of_birth"]})
    identity = None
    if fields["first_name"] and fields["last_name"] and birth is not None:
        identity = (fields["first_name"].lower(), fields["last_name"].lower(), birth)
    if problems:
        return RowCheck(None, problems, identity)
    clean = CleanRow(line=row.line, first_name=fields["first_name"], last_name=fields["last_name"],
                     date_of_birth=birth, email=email.lower())
    return RowCheck(clean, [], identity)


def duplicate_message() -> str:
    return _("Duplicate: a recipient with the same first name, last name and date of birth already exists")


def line_message(line: int, problems: list[str]) -> str:
    return _("Line %(line)s: %(problems)s") % {"line": line, "problems": "; ".join(problems)}


def duplicate_in_file_message(first_line: int) -> str:
    return _("Duplicate: the same first name, last name and date of birth appear earlier in this file "
             "(line %(line)s)") % {"line": first_line}
