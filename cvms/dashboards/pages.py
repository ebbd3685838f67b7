"""A dashboard page and a figure's CSV, the same for every portal that serves one: the portal's view
fetches what the reader may see through its access helper, makes the filter form, and hands over."""

from collections.abc import Callable

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from cvms.core.spreadsheet import csv_stream
from cvms.dashboards.figures import Table
from cvms.dashboards.forms import DashboardFilterForm


def dashboard_page(request, template: str, *, form: DashboardFilterForm, tables: Callable[..., list[Table]],
                   csv_path: Callable[[str], str], notes: dict, **context):
    """``template`` with the figures ``tables(scope=…)`` makes for the filters, or the filters'
    errors (400). Each table learns its CSV's address (``csv_path(key)`` with the filters) and, when
    its rows drill down, each row's (the page narrowed to that row's value)."""
    made = tables(scope=form.scope) if form.is_valid() else []
    query = form.query() if form.is_valid() else ""
    for table in made:
        table.csv_url = csv_path(table.key) + (f"?{query}" if query else "")
        table.links = [form.drill_link(value) for value in table.drill]
    return render(request, template, {"form": form, "tables": made, "notes": notes, **context},
                  status=400 if form.errors else 200)


def dashboard_csv(*, form: DashboardFilterForm, figure: str, keys, table: Callable[..., Table], name: str,
                  invalid: Callable):
    """``figure``'s whole table as a formula-safe CSV, streamed; 404 for a figure not in ``keys``;
    ``invalid()`` (the page with the filters' errors) when the filters are refused."""
    if figure not in keys:
        raise Http404
    if not form.is_valid():
        return invalid()
    scope = form.scope
    made = table(scope=scope, key=figure)
    filename = f"{figure}-{name}-{scope.start:%Y-%m-%d}-{scope.end:%Y-%m-%d}.csv"
    return StreamingHttpResponse(csv_stream([made.columns, *made.rows]), content_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": content_disposition_header(True, filename)})
