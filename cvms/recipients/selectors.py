"""Reads of recipients that several places need: a location's loaded recipients, page by page, and
the check-in search over every recipient in the state."""

import datetime
from dataclasses import dataclass
from functools import partial

from django.db.models.functions import Coalesce

from cvms.core.keyset import cursor_decode, cursor_encode
from cvms.core.keyset import keyset_beyond as _from
from cvms.recipients.models import Recipient
from cvms.recipients.names import person_fold
from cvms.recipients.search import SearchTerms, name_splits, search_terms

RECIPIENT_SORTS = {"first_name", "last_name", "date_of_birth", "email"}
MATCH_COUNT_CAP = 1000
#: Rows past the cursor that a search with many matches looks through in page order before it
#: sorts the matches instead (see _search_rows).
SEARCH_PROBE_ROWS = 2000
_LIST_FIELDS = ("id", "first_name", "last_name", "date_of_birth", "email", "welcome_email_status",
                "welcome_email_failure", "registered_at")


@dataclass
class RecipientPage:
    rows: list
    total: int  # all loaded at the location (from the kept counter) or matches, capped
    total_capped: bool
    next_cursor: str | None
    prev_cursor: str | None


def _encode_cursor(recipient, sort: str) -> str:
    return cursor_encode(getattr(recipient, sort), recipient.pk)


def _decode_cursor(cursor: str, sort: str):
    return cursor_decode(cursor, datetime.date.fromisoformat if sort == "date_of_birth" else str)


def _matching(recipients, *, search: str, registered: bool | None):
    """``recipients`` whose names match ``search`` and, unless ``registered`` is None, who have
    (True) or have not yet (False) completed their registration form (`registered_at`)."""
    if search.strip():
        recipients = recipients.search(search)
    if registered is not None:
        recipients = recipients.filter(registered_at__isnull=not registered)
    return recipients


def _search_rows(beyond, narrow, *, sort: str, ascending: bool, capped: bool, limit: int) -> list:
    """The first ``limit`` rows of ``beyond`` (a location's rows past the cursor) that ``narrow``
    keeps (a name search, the registration filter).

    Walking the location's index in page order and testing each row is quick when matches are
    common early in that order and slow when they are not: "smi" walks every name before
    Goldsmith. Finding the matches with the trigram indexes (or the index of portal accounts) and
    sorting them is quick when they are few. So a search with few matches (the count is not
    capped) sorts them; one with many first tries the next SEARCH_PROBE_ROWS rows in page order,
    and sorts the matches only when those rows do not fill the page.
    """
    order = [sort, "pk"] if ascending else [f"-{sort}", "-pk"]
    if capped:
        edge = list(beyond.order_by(*order).values_list(sort, "pk")[SEARCH_PROBE_ROWS - 1:SEARCH_PROBE_ROWS])
        window = beyond.filter(_from(sort, *edge[0], ascending=not ascending, inclusive=True)) if edge else beyond
        rows = list(narrow(window).order_by(*order).only(*_LIST_FIELDS)[:limit])
        if len(rows) == limit or not edge:
            return rows
    # The same order, but by an expression no index holds: PostgreSQL cannot walk the location's
    # index in page order, so it finds the matches with the trigram indexes and sorts only those.
    key = Coalesce(sort, sort)
    by_key = [key.asc() if ascending else key.desc(), order[1]]
    return list(narrow(beyond).order_by(*by_key).only(*_LIST_FIELDS)[:limit])


def loaded_recipients_page(*, location, search: str = "", registered: bool | None = None,
                           sort: str = "last_name", descending: bool = False, after: str = "", before: str = "",
                           size: int = 25) -> RecipientPage:
    """A page of a location's loaded recipients with keyset pagination: fast on any page of a
    million rows, and never an exact count of the whole table. ``registered`` keeps those who
    completed their registration (True) or not yet (False) (FAQ 17)."""
    sort = sort if sort in RECIPIENT_SORTS else "last_name"
    located = Recipient.objects.loaded_at(location)
    cursor = _decode_cursor(after or before, sort) if (after or before) else None
    forward = not before or cursor is None  # a cursor that does not read is the first page
    ascending = forward != descending
    beyond = located if cursor is None else located.filter(_from(sort, *cursor, ascending=ascending))
    if search.strip() or registered is not None:
        narrow = partial(_matching, search=search, registered=registered)
        # Unordered, so the count stops at the cap instead of sorting every match first.
        total = narrow(located).order_by()[:MATCH_COUNT_CAP + 1].count()
        capped = total > MATCH_COUNT_CAP
        total = min(total, MATCH_COUNT_CAP)
        rows = _search_rows(beyond, narrow, sort=sort, ascending=ascending, capped=capped, limit=size + 1)
    else:
        total, capped = location.loaded_recipient_count, False
        order = [sort, "pk"] if ascending else [f"-{sort}", "-pk"]
        rows = list(beyond.order_by(*order).only(*_LIST_FIELDS)[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    has_next = more if forward else bool(before)
    has_prev = (cursor is not None) if forward else more
    return RecipientPage(
        rows=rows, total=total, total_capped=capped,
        next_cursor=_encode_cursor(rows[-1], sort) if rows and has_next else None,
        prev_cursor=_encode_cursor(rows[0], sort) if rows and has_prev else None,
    )


# --- The check-in search: any recipient in the state, by name, date of birth, email or phone.

#: Results the check-in search shows: enough to pick a person from, few enough to read.
FIND_LIMIT = 25
_LAST_KEY = 'recipient_name_key({t}last_name) COLLATE "C"'
_FIRST_KEY = 'recipient_name_key({t}first_name) COLLATE "C"'
_ORDER = f"{_LAST_KEY}, {_FIRST_KEY}, {{t}}date_of_birth, {{t}}id"
_FOUND_COLUMNS = "r.id, r.first_name, r.last_name, r.date_of_birth, r.city, r.county"


class _Branch:
    """One indexed way to find people (``WHERE`` parts and their values), ranked among the others."""

    def __init__(self, rank: int):
        self.rank, self.where, self.params = rank, [], []

    def add(self, sql: str, *params) -> "_Branch":
        self.where.append(sql)
        self.params.extend(params)
        return self

    def name(self, *, last: str = "", first: str = "") -> "_Branch":
        if last:
            self.add(f"{_LAST_KEY.format(t='')} LIKE recipient_name_key(%s) || '%%'", last)
        if first:
            self.add(f"{_FIRST_KEY.format(t='')} LIKE recipient_name_key(%s) || '%%'", first)
        return self

    def sql(self) -> str:
        return (f"(SELECT id, {self.rank} AS rank FROM registry_recipient WHERE {' AND '.join(self.where)} "  # noqa: S608
                f"ORDER BY {_ORDER.format(t='')} LIMIT {FIND_LIMIT})")


def _branches(terms) -> list[_Branch]:
    """The indexed look-ups a search needs: the most selective part leads (phone, email, name,
    then date of birth); the other parts narrow its rows."""
    def narrowed(branch: _Branch, *, names: bool = True) -> _Branch:
        if terms.born:
            branch.add("date_of_birth = %s", terms.born)
        for word in (terms.words + [terms.last, terms.first]) if names else ():
            if word:
                branch.add(f"({_LAST_KEY.format(t='')} LIKE recipient_name_key(%s) || '%%' "
                           f"OR {_FIRST_KEY.format(t='')} LIKE recipient_name_key(%s) || '%%')", word, word)
        return branch

    if terms.phone:
        numbers = [terms.phone, "1" + terms.phone]
        return [narrowed(_Branch(0).add("phone = ANY(%s) AND phone <> ''", numbers))]
    if terms.email:
        return [narrowed(_Branch(0).add("lower(email) = %s", terms.email)),
                narrowed(_Branch(1).add("lower(email) LIKE %s", _like_prefix(terms.email)))]
    if terms.last:
        return [narrowed(_Branch(0).name(last=terms.last, first=terms.first), names=False)]
    if terms.words:
        readings = [(" ".join(terms.words), "")] + name_splits(terms.words)
        return [narrowed(_Branch(rank).name(last=last, first=first), names=False)
                for rank, (last, first) in enumerate(readings)]
    if terms.born:
        return [narrowed(_Branch(0), names=False)]
    return []


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def recipients_find(text: str) -> tuple[list[Recipient], SearchTerms]:
    """Recipients anywhere in the state matching the check-in search box (``search.search_terms``),
    at most ``FIND_LIMIT``, the likeliest reading first and then by last name, first name and date
    of birth; with the terms as read (their ``notes`` say what was left out). Rows hold only what
    results show: name, date of birth, city and county."""
    terms = search_terms(text)
    branches = _branches(terms)
    if not branches:
        return [], terms
    union = " UNION ALL ".join(branch.sql() for branch in branches)
    sql = (f"SELECT {_FOUND_COLUMNS} FROM (SELECT id, min(rank) AS rank FROM ({union}) AS found GROUP BY id) AS m "  # noqa: S608
           f"JOIN registry_recipient r ON r.id = m.id ORDER BY m.rank, {_ORDER.format(t='r.')} LIMIT {FIND_LIMIT}")
    params = [value for branch in branches for value in branch.params]
    return list(Recipient.objects.raw(sql, params)), terms


def recipient_same_person(*, first_name: str, last_name: str, date_of_birth: datetime.date) -> Recipient | None:
    """The stored recipient who is this person: the same date of birth, and the same names once case,
    full-width forms and look-alike letters of other alphabets are folded (``person_fold``). The
    people born on one day are few (about 30 in a million), found through the date-of-birth index."""
    first, last = person_fold(first_name), person_fold(last_name)
    born_that_day = Recipient.objects.filter(date_of_birth=date_of_birth).order_by("pk").only(
        "pk", "first_name", "last_name", "date_of_birth", "city", "county")
    return next((person for person in born_that_day.iterator(chunk_size=500)
                 if person_fold(person.last_name) == last and person_fold(person.first_name) == first), None)


@dataclass(frozen=True)
class ReportedHealth:
    """The answers a recipient gave to the registration form's health questions, for the people
    who vaccinate them: each question worded, the answer's label, and whether it was "yes"."""

    answered_at: datetime.datetime
    answers: list[tuple[str, str, bool]]

    @property
    def any_yes(self) -> bool:
        return any(yes for _question, _answer, yes in self.answers)


def reported_health(recipient: Recipient) -> ReportedHealth | None:
    """The recipient's own health answers, or None when they have not registered them."""
    from cvms.recipients.choices import HEALTH_QUESTIONS, HealthAnswer
    from cvms.recipients.models import HealthScreening

    screening = HealthScreening.objects.filter(recipient=recipient).first()
    if screening is None:
        return None
    answers = []
    for key, question in HEALTH_QUESTIONS.items():
        value = getattr(screening, key)
        answers.append((str(question), HealthAnswer(value).label, value == HealthAnswer.YES))
    return ReportedHealth(answered_at=screening.answered_at, answers=answers)
