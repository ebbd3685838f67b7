"""The dashboard's figures as tables: a title, column headings and rows, the same for the page (a
table beside its chart) and the CSV download. The first column labels each row; ``chart`` names the
kind of chart and the columns it plots."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cvms.dashboards import selectors as s
from cvms.inventory.choices import REASON_CHOICES


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: str = "bar"
    #: The columns the chart plots (all but the first when empty).
    plotted: list[int] = field(default_factory=list)
    stacked: bool = False
    #: The filter value each row's label narrows the page to (a county to drill into), if any.
    drill: list[str] = field(default_factory=list)
    #: Rows the page leaves out (the CSV has them all).
    more: int = 0
    #: Set by the page: each row's drill-down address, and the CSV's.
    links: list[str] = field(default_factory=list)
    csv_url: str = ""

    @property
    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        """Each row's cells with their column's heading (a stacked table's labels on a phone)."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]

    @property
    def linked_rows(self) -> list[tuple[str, list[tuple[str, object]]]]:
        """Each row's drill-down address (or "") with its labelled cells."""
        links = self.links or [""] * len(self.rows)
        return list(zip(links, self.labelled_rows, strict=True))

    def shortened(self, rows: int) -> "Table":
        """The table with its first ``rows`` rows, counting those left out."""
        if len(self.rows) <= rows:
            return self
        return replace(self, rows=self.rows[:rows], drill=self.drill[:rows], more=len(self.rows) - rows)

    @property
    def plotted_columns(self) -> str:
        return ",".join(str(n) for n in self.plotted)


def _day(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def pivot(triples, first_heading: str) -> tuple[list[str], list[list]]:
    """(label, series, value) rows as one row a label and one column a series."""
    series = sorted({series for _label, series, _value in triples})
    by_label: dict = {}
    for label, name, value in triples:
        by_label.setdefault(label, dict.fromkeys(series, 0))[name] = value
    return [first_heading, *series], [[_day(label), *values.values()] for label, values in by_label.items()]


def _doses(scope) -> Table:
    columns, rows = pivot(s.doses_per_day(scope=scope), _("Day"))
    return Table("doses", _("Doses given per day"), columns, rows, chart="line" if len(rows) > 1 else "bar")


def _supply(scope) -> Table:
    rows = [[product, on_hand, per_day, "—" if days is None else days]
            for product, on_hand, per_day, days in s.days_of_supply(scope=scope)]
    return Table("supply", _("Days of supply"),
                 [_("Vaccine"), _("Doses on hand"), _("Doses given a day"), _("Days of supply")], rows, plotted=[3])


def _wastage(scope) -> Table:
    reasons = dict(REASON_CHOICES)
    rows = [[str(reasons.get(reason, reason)), doses] for reason, doses in s.wastage_by_reason(scope=scope)]
    return Table("wastage", _("Wastage by reason"), [_("Reason"), _("Doses wasted")], rows)


def _second_doses(scope) -> Table:
    columns, rows = pivot(s.second_doses_due(scope=scope), _("Week of"))
    return Table("second-doses", _("Second doses due"), columns, rows, stacked=True)


def _appointments(scope) -> Table:
    rows = [[_day(day), booked, capacity] for day, booked, capacity in s.appointments_per_day(scope=scope)]
    return Table("appointments", _("Appointments booked against capacity"),
                 [_("Day"), _("Seats booked"), _("Seats offered")], rows)


def _registration(scope) -> Table:
    rows = [[name, loaded, registered, round(100 * registered / loaded)]
            for name, loaded, registered in s.registration_completion(scope=scope)]
    return Table("registration", _("Registration of uploaded recipients"),
                 [_("Location"), _("Recipients uploaded"), _("Registration completed"), _("Percent completed")],
                 rows, plotted=[1, 2])


#: Each figure's key (its CSV's address) and how its table is made.
FIGURES: dict[str, Callable] = {
    "doses": _doses, "supply": _supply, "wastage": _wastage, "second-doses": _second_doses,
    "appointments": _appointments, "registration": _registration,
}
FIGURE_KEYS = tuple(FIGURES)
FIGURE_NOTES = {
    "second-doses": gettext_lazy("First doses whose interval falls due in the coming six weeks, for recipients "
                                 "with no second dose yet; those overdue by up to six weeks are counted in this "
                                 "week."),
    "appointments": gettext_lazy("The days chosen and the coming two weeks."),
    "registration": gettext_lazy("Everyone ever uploaded at these locations, whatever the dates chosen."),
}


def dashboard_tables(*, scope: s.DashboardScope) -> list[Table]:
    return [make(scope) for make in FIGURES.values()]


def dashboard_table(*, scope: s.DashboardScope, key: str) -> Table:
    """The table of one figure; ``key`` is one of ``FIGURE_KEYS`` (a KeyError otherwise)."""
    return FIGURES[key](scope)
