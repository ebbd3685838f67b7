"""The documentation names real tests: every ``path::test`` in docs/ exists."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_REFERENCE = re.compile(r"`([\w/]+\.py)::(test_\w+)")
DOCS = sorted((ROOT / "docs").glob("*.md"))


def _references():
    for doc in DOCS:
        for path, name in TEST_REFERENCE.findall(doc.read_text()):
            yield pytest.param(doc.name, path, name, id=f"{doc.name}:{path}::{name}")


def test_the_security_page_names_tests():
    assert len([r for r in _references() if r.values[0] == "security.md"]) >= 30


@pytest.mark.parametrize(("doc", "path", "name"), list(_references()))
def test_each_test_named_in_the_docs_exists(doc, path, name):
    source = ROOT / path
    assert source.exists(), f"{doc} names {path}, which does not exist"
    tests = {node.name for node in ast.walk(ast.parse(source.read_text())) if isinstance(node, ast.FunctionDef)}
    assert name in tests, f"{doc} names {path}::{name}, which does not exist"
