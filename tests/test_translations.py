"""Spanish that cannot regress: every user-facing string in the code has a Spanish translation
that is not fuzzy, the compiled catalogue is the one the .po file gives, ``make messages`` leaves
a complete catalogue as it is, and no module translates a string once at import time.

Rerun alone with ``make messages-check``. After adding strings: ``make messages``, translate the
new entries in ``locale/es/LC_MESSAGES/django.po`` (and clear their ``fuzzy`` flags), then
``make messages`` again to compile.
"""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("locale/es/LC_MESSAGES/django.po")
COMPILED = CATALOGUE.with_suffix(".mo")
#: What makemessages reads for the "django" domain.
EXTRACTED_SUFFIXES = {".py", ".html", ".txt"}
#: Translation functions that translate when called; at import time that is once, in English.
EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def _run(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run one of the tools the check needs (git, make, gettext's), found on the PATH."""
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)  # noqa: S603


def _project_files(*patterns: str) -> list[str]:
    """Files in the checkout, tracked or new and not ignored: what ``make messages`` would read."""
    listed = _run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", *patterns)
    assert listed.returncode == 0, f"the check lists the project's files with git: {listed.stderr}"
    return [name for name in listed.stdout.split("\0") if name and (ROOT / name).is_file()]


def _tree_copy(destination: Path, *, with_catalogue: bool) -> Path:
    """The files ``make messages`` reads, copied under ``destination``."""
    for name in _project_files():
        path = Path(name)
        if path.suffix in EXTRACTED_SUFFIXES or name == "Makefile" or (with_catalogue and name.startswith("locale/")):
            (destination / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / path, destination / path)
    (destination / CATALOGUE).parent.mkdir(parents=True, exist_ok=True)
    return destination


def _make_messages(tree: Path) -> polib.POFile:
    """Run the Makefile's own ``messages`` recipe in ``tree`` with this virtualenv."""
    result = _run("make", "-s", "-o", "venv", "messages", f"VENV={sys.prefix}", cwd=tree,
                  env={**os.environ, "CVMS_ENV": "test"})
    assert result.returncode == 0, f"make messages failed:\n{result.stdout}\n{result.stderr}"
    return polib.pofile(str(tree / CATALOGUE))


def _key(entry: polib.POEntry) -> tuple:
    return entry.msgctxt, entry.msgid, entry.msgid_plural


def _wanting(catalogue: polib.POFile, used: polib.POFile) -> list[str]:
    """The strings ``used`` holds that ``catalogue`` does not translate (missing, empty or fuzzy)."""
    done = {_key(entry) for entry in catalogue.translated_entries()}
    return [entry.msgid for entry in used if not entry.obsolete and _key(entry) not in done]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> tuple[Path, polib.POFile]:
    """Every string the code marks for translation, extracted afresh into an empty catalogue."""
    tree = _tree_copy(tmp_path_factory.mktemp("extract"), with_catalogue=False)
    return tree / CATALOGUE, _make_messages(tree)


def test_every_user_facing_string_has_a_spanish_translation(extracted):
    used_path, used = extracted
    catalogue = polib.pofile(str(ROOT / CATALOGUE))
    wanting = _wanting(catalogue, used)
    # gettext's own comparison agrees: it also counts untranslated and fuzzy entries as missing.
    compared = _run("msgcmp", str(ROOT / CATALOGUE), str(used_path))
    listing = "\n".join(f"  {msgid!r}" for msgid in wanting) or compared.stderr[-3000:]
    assert not wanting and compared.returncode == 0, (
        f"{len(wanting)} string(s) have no Spanish translation, or a fuzzy one, in {CATALOGUE}. "
        f"Run `make messages`, translate them, then `make messages` again:\n{listing}"
    )


def test_catalogue_passes_gettext_checks():
    """Placeholders match (python-format, python-brace-format), plurals have both forms, the header is whole."""
    result = _run("msgfmt", "--check", "--statistics", "-o", os.devnull, str(ROOT / CATALOGUE))
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


def test_compiled_catalogue_is_the_one_the_po_file_gives():
    source = {(e.msgctxt, e.msgid): e.msgstr_plural or e.msgstr for e in polib.pofile(str(ROOT / CATALOGUE))
              .translated_entries()}
    compiled = {(e.msgctxt, e.msgid): e.msgstr_plural or e.msgstr for e in polib.mofile(str(ROOT / COMPILED))
                if e.msgid}
    stale = sorted(str(key[1]) for key in source.keys() ^ compiled.keys()
                   | {k for k in source.keys() & compiled.keys() if source[k] != compiled[k]})
    assert not stale, f"{COMPILED} is out of date: run `make messages`. Differs on: {stale[:20]}"


def test_make_messages_leaves_a_complete_catalogue_as_it_is(tmp_path):
    """The catalogue has the shape ``make messages`` writes: no locations, no obsolete entries,
    in extraction order, so running it on a complete catalogue changes nothing but its date."""
    tree = _tree_copy(tmp_path, with_catalogue=True)
    remade = _make_messages(tree)

    def body(path: Path) -> list[str]:
        return [line for line in path.read_text().splitlines() if not line.startswith('"POT-Creation-Date:')]

    assert not [e for e in remade if e.occurrences], "make messages wrote source locations"
    assert body(tree / CATALOGUE) == body(ROOT / CATALOGUE), (
        f"`make messages` changes {CATALOGUE}: run it and commit the result.")


def _eager_calls_at_import(source: str) -> list[int]:
    """Lines where an eager translation function runs while the module is imported: at module or
    class level, in a decorator or in a default argument."""
    tree = ast.parse(source)
    eager = {alias.asname or alias.name for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
             for alias in node.names if alias.name in EAGER}
    lines = []

    class Visitor(ast.NodeVisitor):
        inside = 0

        def visit_FunctionDef(self, node):
            for expression in [*node.decorator_list, *node.args.defaults, *filter(None, node.args.kw_defaults)]:
                self.visit(expression)
            self.inside += 1
            for statement in node.body:
                self.visit(statement)
            self.inside -= 1

        visit_AsyncFunctionDef = visit_FunctionDef

        def visit_Lambda(self, node):
            self.inside += 1
            self.visit(node.body)
            self.inside -= 1

        def visit_Call(self, node):
            function = node.func
            by_name = isinstance(function, ast.Name) and function.id in eager
            by_module = isinstance(function, ast.Attribute) and function.attr in EAGER and isinstance(
                function.value, ast.Name) and function.value.id == "translation"
            if not self.inside and (by_name or by_module):
                lines.append(node.lineno)
            self.generic_visit(node)

    Visitor().visit(tree)
    return lines


def test_the_import_time_check_finds_module_and_class_level_gettext():
    source = (
        "from django.utils.translation import gettext as _, gettext_lazy\n"
        "from django.utils import translation\n"
        "DONE = {'a': _('Approved.')}\n"
        "LAZY = gettext_lazy('Fine.')\n"
        "class Form:\n"
        "    label = translation.gettext('Name')\n"
        "    def view(self, text=_('Default')):\n"
        "        return _('Fine at call time.')\n"
        "PICK = lambda: _('Fine too.')\n"
    )
    assert _eager_calls_at_import(source) == [3, 6, 7]


def test_no_module_translates_at_import_time():
    """A string translated while the module is imported is English for everyone; use gettext_lazy."""
    found = [f"{name}:{line}" for name in _project_files("*.py") if "/migrations/" not in name
             for line in _eager_calls_at_import((ROOT / name).read_text())]
    assert not found, f"Translated at import time (use gettext_lazy, or translate inside the function): {found}"
