"""The deploy works as documented: what the image installs, what compose runs, what the env file sets."""

import ast
import importlib.metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _requirements(name: str) -> tuple[list[str], dict[str, Requirement]]:
    """The ``-r`` includes and the requirements of one file, by normalized name."""
    includes, requirements = [], {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            includes.append(line[3:].strip())
        elif line:
            requirement = Requirement(line)
            requirements[requirement.name.lower().replace("_", "-")] = requirement
    return includes, requirements


def _modules_of(distribution: str) -> set[str]:
    """The top-level modules an installed distribution provides."""
    return {name for name, dists in importlib.metadata.packages_distributions().items()
            if distribution in {d.lower().replace("_", "-") for d in dists}}


def _runtime_sources():
    """Every module the image runs: all project code but tests, test settings and benchmarks."""
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", ".var", "bench", "tests", "staticfiles"} or "tests" in parts:
            continue
        if path.name == "conftest.py":
            continue
        yield path


def _imported_top_level_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_every_requirement_is_pinned_to_one_version():
    for name in ("requirements.txt", "requirements-dev.txt"):
        _, requirements = _requirements(name)
        assert requirements, name
        for requirement in requirements.values():
            specifiers = list(requirement.specifier)
            assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{name}: pin {requirement} exactly"


def test_development_requirements_add_the_test_tools_to_the_runtime_ones():
    includes, dev = _requirements("requirements-dev.txt")
    _, runtime = _requirements("requirements.txt")
    assert includes == ["requirements.txt"]
    assert {"pytest", "pytest-django", "factory-boy", "playwright", "ruff"} <= set(dev)
    assert not set(dev) & set(runtime), "a package is listed in both files"


def test_runtime_code_imports_no_development_package():
    _, dev = _requirements("requirements-dev.txt")
    dev_modules = set().union(*(_modules_of(name) for name in dev))
    assert {"pytest", "factory", "playwright"} <= dev_modules
    offenders = {str(path.relative_to(ROOT)): sorted(_imported_top_level_modules(path) & dev_modules)
                 for path in _runtime_sources()}
    assert not {path: modules for path, modules in offenders.items() if modules}


def test_the_image_installs_only_runtime_requirements_and_make_setup_installs_both():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert "requirements-dev" not in dockerfile
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -r requirements-dev.txt" in makefile
    assert "$(VENV)/.installed: requirements.txt requirements-dev.txt" in makefile
