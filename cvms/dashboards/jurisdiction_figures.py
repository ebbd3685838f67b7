"""The figures of a jurisdiction's dashboard (a local health department's counties, or the state)
as tables, the same for the page and the CSV: doses a day, by county (each county a drill-down),
by age group, sex, race and ethnicity; doses delivered against given per location; locations whose
entries lag; invited employers and their employees' registration."""

from collections.abc import Callable

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cvms.dashboards import jurisdiction as j
from cvms.dashboards.figures import Table, pivot
from cvms.recipients.choices import Ethnicity, Race, Sex

#: The rows a page shows of the per-location figures (the CSV has every location).
PAGE_LOCATION_ROWS = 25


def _percent(part: int, whole: int):
    """``part`` as a share of ``whole``; none of a whole of nothing or less (a location that sent
    more doses away than it received in the range)."""
    return round(100 * part / whole) if whole > 0 else "—"


def _age_labels() -> list[str]:
    bounds = (0, *j.AGE_BOUNDS)
    labels = [f"{low}–{high - 1}" for low, high in zip(bounds, bounds[1:], strict=False)]
    return [*labels, f"{bounds[-1]}+"]


def _county_name(county: str) -> str:
    """A location's or an employer's county as a row's label ("—" when none was given)."""
    return county or "—"


def _coded(title_key: str, title: str, heading: str, counts: dict, choices) -> Table:
    rows = [[str(label), counts.get(code, 0)] for code, label in choices]
    rows += [[code, doses] for code, doses in sorted(counts.items()) if code not in dict(choices)]
    return Table(title_key, title, [heading, _("Doses given")], rows)


def _doses(found: j.DoseBreakdown, scope) -> Table:
    columns, rows = pivot(found.per_day, _("Day"))
    return Table("doses", _("Doses given per day"), columns, rows, chart="line" if len(rows) > 1 else "bar")


def _county(found: j.DoseBreakdown, scope) -> Table:
    counties = sorted(set(scope.counties) if scope.counties is not None else set(found.county))
    return Table("county", _("Doses given by county"), [_("County"), _("Doses given")],
                 [[_county_name(county), found.county.get(county, 0)] for county in counties], drill=counties)


def _age(found: j.DoseBreakdown, scope) -> Table:
    labels = _age_labels()
    return Table("age", _("Doses given by age group"), [_("Age group"), _("Doses given")],
                 [[label, found.age.get(index, 0)] for index, label in enumerate(labels)])


def _sex(found: j.DoseBreakdown, scope) -> Table:
    return _coded("sex", _("Doses given by sex"), _("Sex"), found.sex, Sex.choices)


def _race(found: j.DoseBreakdown, scope) -> Table:
    return _coded("race", _("Doses given by race"), _("Race"), found.race, Race.choices)


def _ethnicity(found: j.DoseBreakdown, scope) -> Table:
    return _coded("ethnicity", _("Doses given by ethnicity"), _("Ethnicity"), found.ethnicity, Ethnicity.choices)


def _delivered(locations: list[j.LocationFigures], scope) -> Table:
    ordered = sorted(locations, key=lambda f: (f.administered / f.delivered if f.delivered > 0 else 2, f.name))
    rows = [[f.name, _county_name(f.county), f.delivered, f.administered, _percent(f.administered, f.delivered)]
            for f in ordered]
    return Table("delivered", _("Doses given against doses delivered, by location"),
                 [_("Location"), _("County"), _("Doses delivered"), _("Doses given"), _("Percent given")], rows,
                 plotted=[2, 3])


def _lag(locations: list[j.LocationFigures], scope) -> Table:
    lagging = sorted((f for f in locations if f.late), key=lambda f: (-f.late / f.administered, f.name))
    rows = [[f.name, _county_name(f.county), f.administered, f.late, _percent(f.late, f.administered), f.average_hours]
            for f in lagging]
    return Table("lag", _("Locations whose entries lag"),
                 [_("Location"), _("County"), _("Doses given"), _("Entered late"), _("Percent entered late"),
                  _("Average hours to entry")], rows, plotted=[4])


def _employers(employers: list[j.EmployerFigures], scope) -> Table:
    title = _("Invited organizations and their employees' registration")
    if scope.counties is not None and len(scope.counties) == 1:
        rows = [[e.name, date_format(e.invited_at, "SHORT_DATE_FORMAT") if e.invited_at else "—", e.employees,
                 e.registered, _percent(e.registered, e.employees)] for e in employers]
        return Table("employers", title, [_("Organization"), _("Invited on"), _("Employees uploaded"),
                                          _("Registration completed"), _("Percent completed")], rows, plotted=[2, 3])
    by_county: dict[str, list[int]] = {}
    for e in employers:
        totals = by_county.setdefault(e.county, [0, 0, 0])
        totals[0] += 1
        totals[1] += e.employees
        totals[2] += e.registered
    counties = sorted(by_county)
    rows = [[_county_name(county), *by_county[county], _percent(by_county[county][2], by_county[county][1])]
            for county in counties]
    return Table("employers", title, [_("County"), _("Organizations invited"), _("Employees uploaded"),
                                      _("Registration completed"), _("Percent completed")], rows,
                 plotted=[2, 3], drill=counties)


#: Each figure's key (its CSV's address), the reading it is made from and how.
DOSE_FIGURES: dict[str, tuple[str, Callable]] = {
    "doses": ("per_day", _doses), "county": ("county", _county), "age": ("age", _age), "sex": ("sex", _sex),
    "race": ("race", _race), "ethnicity": ("ethnicity", _ethnicity),
}
LOCATION_FIGURES: dict[str, Callable] = {"delivered": _delivered, "lag": _lag}
FIGURE_KEYS = (*DOSE_FIGURES, *LOCATION_FIGURES, "employers")
FIGURE_NOTES = {
    "county": gettext_lazy("Doses are counted in the county of the location that gave them."),
    "age": gettext_lazy("The person's age on the day of the dose."),
    "race": gettext_lazy("A person who gave several races is counted under each; one who gave none under "
                         "Unknown."),
    "delivered": gettext_lazy("Doses received and transferred in, less those transferred out, against "
                              "doses given over the same days; the lowest share given first."),
    "employers": gettext_lazy("Everyone ever uploaded by these organizations, whatever the dates chosen."),
}


def jurisdiction_notes() -> dict:
    """The figures' notes."""
    hours = j.LATE_ENTRY_HOURS
    lag = ngettext("Doses entered more than %(hours)d hour after they were given, most late first.",
                   "Doses entered more than %(hours)d hours after they were given, most late first.", hours)
    return {**FIGURE_NOTES, "lag": lag % {"hours": hours}}


def jurisdiction_tables(*, scope: j.JurisdictionScope, page_rows: int | None = PAGE_LOCATION_ROWS) -> list[Table]:
    """Every figure: three queries. The per-location figures keep ``page_rows`` rows."""
    found = j.dose_breakdown(scope=scope)
    locations = j.location_figures(scope=scope)
    tables = [make(found, scope) for _part, make in DOSE_FIGURES.values()]
    tables += [make(locations, scope) for make in LOCATION_FIGURES.values()]
    tables.append(_employers(j.employer_figures(scope=scope), scope))
    return [table.shortened(page_rows) if page_rows and table.key in LOCATION_FIGURES else table
            for table in tables]


def jurisdiction_table(*, scope: j.JurisdictionScope, key: str) -> Table:
    """The whole table of one figure, read alone; ``key`` is one of ``FIGURE_KEYS`` (KeyError otherwise)."""
    if key in DOSE_FIGURES:
        part, make = DOSE_FIGURES[key]
        return make(j.dose_breakdown(scope=scope, parts=(part,)), scope)
    if key in LOCATION_FIGURES:
        return LOCATION_FIGURES[key](j.location_figures(scope=scope), scope)
    if key == "employers":
        return _employers(j.employer_figures(scope=scope), scope)
    raise KeyError(key)
