"""A location's Account History: its doses newest first, narrowed by date, product, lot and
vaccinator, paged by cursor, and exported as a formula-safe CSV file that the audit log records."""

import csv
import datetime
import io

import pytest
from django.utils import timezone, translation

from cvms.accounts.models import Membership, Role
from cvms.accounts.services import membership_grant, membership_revoke
from cvms.core.models import AuditLog
from cvms.immunizations import selectors
from cvms.immunizations.selectors import (
    HistoryFilters,
    account_history,
    account_history_page,
    history_vaccinators,
    with_dose_summaries,
)
from cvms.immunizations.services.administer import immunization_mark_entered_in_error
from cvms.immunizations.services.history import account_history_export
from cvms.immunizations.tests.history_fixtures import MODERNA, give, local, receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _read(parts) -> list[list[str]]:
    content = b"".join(parts)
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads the accents right
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_history_holds_the_locations_doses_newest_first_and_no_other_locations(tenant_a):
    lot = receive(tenant_a, "AA1")
    older = give(tenant_a, lot, local(TODAY - 3 * DAY))
    newer = give(tenant_a, lot, local(TODAY - DAY))
    membership_grant(user=tenant_a.manager, role=Role.LOCATION_MANAGER, location=tenant_a.other_location)
    membership_grant(user=tenant_a.vaccinator, role=Role.VACCINATOR, location=tenant_a.other_location)
    elsewhere = receive(tenant_a, "BB1", location=tenant_a.other_location)
    give(tenant_a, elsewhere, local(TODAY - 2 * DAY))
    assert list(account_history(location=tenant_a.location)) == [newer, older]


def test_each_filter_narrows_the_history(tenant_a):
    pfizer_lot = receive(tenant_a, "PF1")
    other_pfizer_lot = receive(tenant_a, "PF2")
    moderna_lot = receive(tenant_a, "MD1", product=VaccineProductFactory(**MODERNA))
    by_manager = give(tenant_a, pfizer_lot, local(TODAY - 5 * DAY), vaccinator=tenant_a.manager)
    late_evening = give(tenant_a, other_pfizer_lot, local(TODAY - 4 * DAY, 23, 59))
    moderna = give(tenant_a, moderna_lot, local(TODAY - 3 * DAY, 0, 1))

    def kept(**filters):
        return set(account_history(location=tenant_a.location, filters=HistoryFilters(**filters)))

    # Dates are local days, both ends included.
    assert kept(date_from=TODAY - 4 * DAY, date_to=TODAY - 4 * DAY) == {late_evening}
    assert kept(date_from=TODAY - 4 * DAY) == {late_evening, moderna}
    assert kept(date_to=TODAY - 4 * DAY) == {by_manager, late_evening}
    assert kept(product=pfizer_lot.product) == {by_manager, late_evening}
    assert kept(lot=moderna_lot) == {moderna}
    assert kept(vaccinator=tenant_a.manager) == {by_manager}
    assert kept(product=pfizer_lot.product, vaccinator=tenant_a.vaccinator) == {late_evening}


def test_pages_follow_each_other_by_cursor_without_gaps_or_repeats(tenant_a):
    lot = receive(tenant_a, "AA1")
    doses = [give(tenant_a, lot, local(TODAY - n * DAY)) for n in range(1, 8)]  # newest first
    first = account_history_page(location=tenant_a.location, size=3)
    second = account_history_page(location=tenant_a.location, after=first.next_cursor, size=3)
    third = account_history_page(location=tenant_a.location, after=second.next_cursor, size=3)
    assert [first.rows, second.rows, third.rows] == [doses[:3], doses[3:6], doses[6:]]
    assert first.prev_cursor is None and third.next_cursor is None and (first.total, first.total_capped) == (7, False)
    back = account_history_page(location=tenant_a.location, before=third.prev_cursor, size=3)
    assert back.rows == doses[3:6] and back.prev_cursor and back.next_cursor
    assert account_history_page(location=tenant_a.location, before=back.prev_cursor, size=3).rows == doses[:3]


def test_doses_given_at_the_same_moment_are_paged_by_their_id(tenant_a):
    lot = receive(tenant_a, "AA1")
    moment = local(TODAY - DAY)
    doses = sorted((give(tenant_a, lot, moment) for _n in range(5)), key=lambda dose: -dose.pk)
    first = account_history_page(location=tenant_a.location, size=2)
    rest = account_history_page(location=tenant_a.location, after=first.next_cursor, size=3)
    assert first.rows + rest.rows == doses


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WyIyMDIxLTAxLTAxVDEwOjAwOjAwIiwgMV0=", "W10=", "W251bGwsIDFd"])
def test_a_cursor_that_does_not_read_shows_the_first_page(tenant_a, cursor):
    """Garbage, a time without its zone, an empty list, no time: the first page, not an error."""
    lot = receive(tenant_a, "AA1")
    doses = [give(tenant_a, lot, local(TODAY - n * DAY)) for n in range(1, 4)]
    for kwargs in ({"after": cursor}, {"before": cursor}):
        page = account_history_page(location=tenant_a.location, size=2, **kwargs)
        assert page.rows == doses[:2] and page.prev_cursor is None, kwargs


def test_the_total_stops_counting_at_its_cap(tenant_a, monkeypatch):
    monkeypatch.setattr(selectors, "HISTORY_COUNT_CAP", 2)
    lot = receive(tenant_a, "AA1")
    for n in range(1, 4):
        give(tenant_a, lot, local(TODAY - n * DAY))
    page = account_history_page(location=tenant_a.location)
    assert (page.total, page.total_capped, len(page.rows)) == (2, True, 3)


def test_the_export_holds_every_dose_with_formula_cells_neutralised_and_is_audited(tenant_a):
    lot = receive(tenant_a, "AA1")
    hostile = RecipientFactory(first_name="=HYPERLINK(\"http://x\")", last_name="+Cmd", email="")
    dose = give(tenant_a, lot, local(TODAY - 2 * DAY, 14, 5), recipient=hostile)
    given = give(tenant_a, lot, local(TODAY - DAY))
    immunization_mark_entered_in_error(immunization=given, reason="Wrong recipient", actor=tenant_a.manager)
    filters = HistoryFilters(date_from=TODAY - 10 * DAY, lot=lot)
    header, *rows = _read(account_history_export(location=tenant_a.location, filters=filters, actor=tenant_a.manager))
    assert header[:5] == ["Legal first name", "Legal last name", "Date of birth", "Date given", "Time given"]
    assert len(rows) == 2 and rows[0][header.index("Status")] == "Entered in error"
    assert rows[0][header.index("Why entered in error")] == "Wrong recipient"
    hostile_row = rows[1]
    assert hostile_row[:2] == ["'=HYPERLINK(\"http://x\")", "'+Cmd"]
    assert hostile_row[3:8] == [f"{dose.administered_on:%m/%d/%Y}", "14:05", lot.product.display_name, "AA1", "1"]
    assert hostile_row[header.index("Given by")] == tenant_a.vaccinator.get_full_name()
    [entry] = AuditLog.objects.filter(action="immunizations.account_history.exported")
    assert entry.actor == tenant_a.manager and entry.object_id == str(tenant_a.location.pk)
    assert entry.changes == {"date_from": (TODAY - 10 * DAY).isoformat(), "date_to": None, "product": None,
                             "lot": lot.pk, "vaccinator": None}


def test_the_export_reads_the_doses_a_chunk_at_a_time_and_keeps_every_one(tenant_a, monkeypatch,
                                                                          django_assert_max_num_queries):
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 2)
    lot = receive(tenant_a, "AA1")
    moment = local(TODAY - DAY)
    doses = [give(tenant_a, lot, moment) for _n in range(3)] + [give(tenant_a, lot, local(TODAY - 2 * DAY))]
    parts = account_history_export(location=tenant_a.location, filters=HistoryFilters(), actor=tenant_a.manager)
    with django_assert_max_num_queries(3):  # three chunks of two or fewer, whatever the number of doses
        rows = _read(parts)[1:]
    assert [row[0] for row in rows] == [dose.recipient.first_name for dose in sorted(
        doses, key=lambda dose: (dose.administered_at, dose.pk), reverse=True)]


def test_the_export_speaks_the_language_it_was_asked_in_even_when_read_later(tenant_a):
    lot = receive(tenant_a, "AA1")
    give(tenant_a, lot, local(TODAY - DAY))
    with translation.override("es"):
        parts = account_history_export(location=tenant_a.location, filters=HistoryFilters(), actor=tenant_a.manager)
    header = _read(parts)[0]  # read in English, as a streamed response is read after its view
    assert header[:3] == ["Nombre legal", "Apellido legal", "Fecha de nacimiento"]


def test_a_page_of_recipients_carries_their_completed_doses_in_one_query(tenant_a, django_assert_num_queries):
    lot = receive(tenant_a, "AA1")
    twice, never, erred = RecipientFactory(), RecipientFactory(), RecipientFactory()
    give(tenant_a, lot, local(TODAY - 30 * DAY), recipient=twice)
    give(tenant_a, lot, local(TODAY - 2 * DAY), recipient=twice)
    wrong = give(tenant_a, lot, local(TODAY - DAY), recipient=erred)
    immunization_mark_entered_in_error(immunization=wrong, reason="Wrong recipient", actor=tenant_a.manager)
    with django_assert_num_queries(1):
        rows = with_dose_summaries([twice, never, erred])
    assert (rows[0].dose_summary.doses, rows[0].dose_summary.last_given_on) == (2, TODAY - 2 * DAY)
    assert rows[1].dose_summary is None and rows[2].dose_summary is None


def test_a_vaccinator_whose_role_ended_can_still_be_filtered_by(tenant_a):
    lot = receive(tenant_a, "AA1")
    dose = give(tenant_a, lot, local(TODAY - DAY))
    membership_revoke(membership=Membership.objects.get(user=tenant_a.vaccinator, location=tenant_a.location))
    assert tenant_a.vaccinator in history_vaccinators(tenant_a.location)
    assert tenant_a.front_desk not in history_vaccinators(tenant_a.location)
    assert list(account_history(location=tenant_a.location, filters=HistoryFilters(vaccinator=tenant_a.vaccinator))) \
        == [dose]


def test_a_page_filtered_by_product_reads_the_products_lots_once(tenant_a, django_assert_num_queries):
    lot = receive(tenant_a, "AA1")
    give(tenant_a, lot, local(TODAY - DAY))
    with django_assert_num_queries(3):  # the product's lots here, the page, the count
        page = account_history_page(location=tenant_a.location, filters=HistoryFilters(product=lot.product))
    assert len(page.rows) == 1
