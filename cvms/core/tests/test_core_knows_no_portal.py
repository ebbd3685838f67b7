"""Arrows point one way: portal -> core. The core's modules and templates import no portal and name
no portal URL; pages of a portal that the core links to come through ``cvms.core.links``."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks

from cvms.core import links

PORTALS = ("enrollment", "provider_portal", "recipient_portal", "organization_portal", "helpdesk")
CORE = Path(settings.BASE_DIR) / "cvms"
_URL_NAME = re.compile(rf"""['"]({"|".join(PORTALS)}):[\w-]+['"]""")


def _core_files(suffix: str):
    for path in sorted(CORE.rglob(f"*{suffix}")):
        relative = path.relative_to(CORE).as_posix()
        if "/tests/" not in f"/{relative}" and "/migrations/" not in relative:
            yield relative, path


def _imported_modules(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def test_core_modules_import_no_portal():
    found = [f"{name}: {module}" for name, path in _core_files(".py")
             for module in _imported_modules(path.read_text()) if module.split(".")[0] in PORTALS]
    assert found == []


@pytest.mark.parametrize("suffix", [".py", ".html", ".txt"])
def test_core_code_and_templates_name_no_portal_url(suffix):
    found = [f"{name}: {match.group(0)}" for name, path in _core_files(suffix)
             for match in _URL_NAME.finditer(path.read_text())]
    assert found == []


def test_every_link_the_core_needs_is_served_by_a_portal():
    assert [e for e in checks.run_checks() if e.id == "core.E001"] == []
    assert links.link_path(links.RECIPIENT_WELCOME, "token").endswith("/token/")


def test_a_link_no_portal_serves_is_reported_by_the_check_and_refused_when_asked(monkeypatch):
    monkeypatch.delitem(links._served, links.HELP_CENTER)
    assert [e.msg for e in checks.run_checks() if e.id == "core.E001"] == [
        "No installed portal serves the link 'help.home'."]
    with pytest.raises(links.LinkNotServed):
        links.link_url(links.HELP_CENTER)
