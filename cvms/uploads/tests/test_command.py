import io
import json

import pytest
from django.core.management import CommandError, call_command

from cvms.recipients.models import Recipient
from cvms.uploads.tests.conftest import rows_csv


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_recipients", *args, stdout=out)
    return out.getvalue()


def test_import_prints_json_with_counts_and_line_errors(tenant_a, tmp_path, django_capture_on_commit_callbacks):
    source = tmp_path / "big.csv"
    source.write_text(rows_csv(6000) + "Bad,,01/01/1990,x@example.com\n")
    errors = tmp_path / "failed.csv"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = json.loads(_run(str(source), "--location", tenant_a.location.provider_pin, "--json",
                                 "--errors-out", str(errors), "--no-email"))
    assert result == {"total": 6001, "created": 6000, "failed": 1,
                      "errors": [{"line": 6002, "error": "Line 6002: Required fields are missing: [LastName]"}]}
    assert errors.read_text(encoding="utf-8-sig").splitlines()[1].startswith('"Bad","","01/01/1990"')
    assert Recipient.objects.filter(source_location=tenant_a.location, welcome_email_status="pending").count() == 0
    assert not callbacks, "--no-email queues no welcome email"


def test_import_queues_welcome_emails_by_default(tenant_a, tmp_path, django_capture_on_commit_callbacks):
    source = tmp_path / "few.csv"
    source.write_text(rows_csv(3))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _run(str(source), "--location", tenant_a.location.provider_pin)
    assert len(callbacks) == 1
    assert Recipient.objects.filter(source_location=tenant_a.location, welcome_email_status="pending").count() == 3


def test_unknown_pin_and_bad_file_are_clear_errors(tenant_a, tmp_path):
    source = tmp_path / "x.csv"
    source.write_text("Name\nAna\n")
    with pytest.raises(CommandError, match="No location has the Provider PIN NCA123456"):
        _run(str(source), "--location", "NCA123456")
    with pytest.raises(CommandError, match="missing the columns"):
        _run(str(source), "--location", tenant_a.location.provider_pin)


def test_a_refused_file_still_prints_json_naming_the_error(tenant_a, tmp_path):
    source = tmp_path / "x.csv"
    source.write_text("Name\nAna\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="missing the columns"):
        call_command("import_recipients", str(source), "--location", tenant_a.location.provider_pin, "--json",
                     stdout=out)
    result = json.loads(out.getvalue())
    assert (result["total"], result["created"], result["failed"]) == (0, 0, 0)
    assert "missing the columns: FirstName, LastName, Date of birth, Email" in result["error"]
