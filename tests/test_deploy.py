"""The deploy works as documented: what the image installs, what compose runs, what the env file sets."""

import ast
import importlib.metadata
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
import yaml
from django.conf import settings
from dotenv import dotenv_values
from jwcrypto import jwk
from packaging.requirements import Requirement

from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "beat")
# The README's compose steps: copy the production example, then replace every CHANGE-ME.
PRODUCTION_EXAMPLE = ROOT / ".env.production.example"
FILLED = {"SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "cvms.example.gov",
          "SITE_URL": "cvms.example.gov", "POSTGRES_PASSWORD": secrets.token_urlsafe(32),
          "CVMS_SHC_SIGNING_KEY": jwk.JWK.generate(kty="EC", crv="P-256").export_private()}


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


# --- The compose file and the production env file, read as docker compose reads them

_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}")


def _interpolate(text: str, variables: dict) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}`` (the forms the file uses)."""
    def value(match):
        found = variables.get(match["name"]) or ""
        if match["op"] == ":?" and not found:
            raise ValueError(match["arg"])
        return found or (match["arg"] if match["op"] == ":-" else "")
    assert "$" not in _VARIABLE.sub("", text), "a variable form this reader does not know"
    return _VARIABLE.sub(value, text)


def _compose(variables: dict | None = None) -> dict:
    text = (ROOT / "docker-compose.yml").read_text()
    return yaml.safe_load(_interpolate(text, {"POSTGRES_PASSWORD": "x"} if variables is None else variables))


def _production_env_file(**left_as_placeholder) -> dict:
    """.env.production.example with every CHANGE-ME replaced as the README says, except those named."""
    values = dotenv_values(PRODUCTION_EXAMPLE, interpolate=False)
    for name, value in values.items():
        if "CHANGE-ME" in (value or "") and name not in left_as_placeholder:
            values[name] = value.replace("CHANGE-ME", FILLED[name])
    return values


def _container_env(service: str, env_file: dict) -> dict:
    """What a service's process sees: the env file, then the service's ``environment`` on top."""
    environment = _compose(env_file)["services"][service]["environment"]
    return {**env_file, **{name: str(value) for name, value in environment.items()}}


def _process_env(env: dict) -> dict:
    """Only the container's environment, and a PATH that finds this virtualenv's commands first."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {"PATH": path, "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8", **env}


def _run(args, env, timeout=120):
    return subprocess.run(args, cwd=ROOT, env=_process_env(env), capture_output=True, text=True,  # noqa: S603
                          timeout=timeout)


def test_the_readme_steps_use_the_production_example_and_name_every_placeholder():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deploying with Docker Compose", 1)[1].split("\n## ", 1)[0]
    assert "cp .env.production.example .env" in section
    assert "docker compose up --build -d" in section
    placeholders = {name for name, value in dotenv_values(PRODUCTION_EXAMPLE).items() if "CHANGE-ME" in value}
    assert placeholders == set(FILLED)
    for name in placeholders:
        assert f"`{name}`" in section, f"the README does not say how to set {name}"


def test_the_production_example_boots_production_with_debug_off():
    env = _container_env("web", _production_env_file())
    assert env["CVMS_ENV"] == "production" and env["DEBUG"] == "false"


def test_check_deploy_is_clean_with_the_documented_production_env_file():
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                  _container_env("web", _production_env_file()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("name", sorted(FILLED))
def test_production_refuses_to_start_while_a_placeholder_is_left(name):
    env = _container_env("web", _production_env_file(**{name: True}))
    result = _run([sys.executable, "manage.py", "shell", "--no-imports", "-c", "import cvms.wsgi"], env)
    assert result.returncode != 0
    assert "Replace CHANGE-ME" in result.stderr and name in result.stderr


def test_compose_refuses_to_start_without_a_postgres_password():
    with pytest.raises(ValueError, match="POSTGRES_PASSWORD"):
        _compose({"POSTGRES_PASSWORD": ""})


def test_compose_runs_production_settings_whatever_the_env_file_says():
    env = _container_env("web", {"CVMS_ENV": "development", "DEBUG": "true", "POSTGRES_PASSWORD": "x"})
    assert env["CVMS_ENV"] == "production"
    result = _run([sys.executable, "manage.py", "shell", "--no-imports", "-c", "import cvms.wsgi"],
                  {**env, "SECRET_KEY": FILLED["SECRET_KEY"], "ALLOWED_HOSTS": "cvms.example.gov"})
    assert result.returncode != 0 and "DEBUG must be off in production" in result.stderr


def _exact_version(image: str) -> bool:
    """A release, not a moving tag: 7.4.11 (three numbers; PostgreSQL's releases have two, 15.18)."""
    name, _, tag = image.partition(":")
    numbers = 2 if name == "postgres" else 3
    return bool(re.fullmatch(rf"v?\d+(\.\d+){{{numbers - 1}}}(-[a-z0-9.-]+)?", tag))


def test_every_image_is_pinned_to_an_exact_version():
    for name, service in _compose()["services"].items():
        if "build" not in service:
            assert _exact_version(service["image"]), f"{name}: {service['image']} is not an exact version"
    bases = re.findall(r"^FROM\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert bases and all(_exact_version(base) for base in bases), bases
    assert ":latest" not in (ROOT / "docker-compose.yml").read_text()
    assert not _exact_version("redis:7.4") and not _exact_version("postgres:15")


def test_migrations_run_once_before_web_worker_and_beat_start():
    services = _compose()["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ('sh -c "python manage.py migrate --noinput && '
                                  'python manage.py load_reference_data"')
    assert migrate["restart"] == "no" and "ports" not in migrate and "healthcheck" not in migrate
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}
        assert "migrate" not in services[name]["command"] and "load_reference_data" not in services[name]["command"]


def test_redis_keeps_queued_work_across_a_restart():
    compose = _compose()
    redis = compose["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    volume, target = redis["volumes"][0].split(":")
    assert target == "/data" and volume in compose["volumes"]


def test_healthchecks_are_kept_and_the_app_waits_for_them():
    services = _compose()["services"]
    for name in ("web", "db", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "scripts/healthcheck.py"]


def test_the_mail_catcher_and_web_are_published_on_loopback_only():
    services = _compose()["services"]
    assert services["mail"]["ports"] == ["127.0.0.1:8025:8025"]
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    for name in ("db", "redis", "migrate", "worker", "beat"):
        assert "ports" not in services[name], name


def test_the_media_volume_is_writable_by_the_app_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = re.search(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)[1]
    for name in APP_SERVICES:
        for mount in _compose()["services"][name]["volumes"]:
            target = mount.split(":")[1]
            assert f"install -d -o {user} -g {user} {target}" in dockerfile, f"{target} would belong to root"
    assert dockerfile.index("install -d -o") < dockerfile.index(f"USER {user}")


# --- The compose services' own commands, run directly (no container engine needed)

@pytest.fixture
def stack_env(tmp_path):
    """The web container's environment from the documented env file, its addresses pointed at a
    fresh database on the test cluster (dropped afterwards) and a Redis database of its own."""
    db = settings.DATABASES["default"]
    name = f"cvms_stack_{secrets.token_hex(4)}"
    admin = psycopg2.connect(dbname="postgres", host=db["HOST"], port=db["PORT"], user=db["USER"])
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    env = _container_env("web", _production_env_file())
    password = env["DATABASE_URL"].split(":")[2].split("@")[0]
    env["DATABASE_URL"] = f"postgres://{db['USER']}:{password}@{db['HOST']}:{db['PORT']}/{name}"
    env["REDIS_URL"] = settings.REDIS_URL.rsplit("/", 1)[0] + "/7"
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    yield env
    admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


def _start(command: str, env: dict, log: Path, **replace) -> subprocess.Popen:
    """A long-running service's command as compose runs it, with some options replaced."""
    args = shlex.split(command)
    for option, value in replace.items():
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args[[a.split("=")[0] for a in args].index(option)] = f"{option}={value}"
    with log.open("w") as out:
        return subprocess.Popen(args, cwd=ROOT, env=_process_env(env), stdout=out,  # noqa: S603
                                stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_the_stack_starts_from_the_documented_env_file_and_its_web_probe_passes(stack_env, tmp_path):
    services = _compose()["services"]
    migrate = shlex.split(services["migrate"]["command"])
    for _ in range(2):  # every `docker compose up` runs it again: it must be repeatable
        result = _run(migrate, stack_env)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "Vaccine products:" in result.stdout

    port = str(free_port())
    started = []
    try:
        started.append(_start(services["web"]["command"], stack_env, tmp_path / "web.log",
                              **{"--bind": f"127.0.0.1:{port}", "--workers": "1"}))
        started.append(_start(services["worker"]["command"], stack_env, tmp_path / "worker.log",
                              **{"--concurrency": "1"}))
        probe = [*services["web"]["healthcheck"]["test"][1:], port]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            result = _run(probe, stack_env, timeout=30)
            if result.returncode == 0 or any(process.poll() is not None for process in started):
                break
            time.sleep(1)
        logs = (tmp_path / "web.log").read_text() + (tmp_path / "worker.log").read_text()
        assert result.returncode == 0, result.stdout + logs[-3000:]
    finally:
        for process in started:
            _stop(process)


def test_the_web_probe_fails_when_healthz_does_not_answer_200():
    result = _run([sys.executable, "scripts/healthcheck.py", str(free_port())], {"ALLOWED_HOSTS": "cvms.example.gov"})
    assert result.returncode == 1 and "did not answer" in result.stdout


def test_every_variable_the_settings_read_is_in_the_env_example_and_the_readme():
    read = set(re.findall(r'env_(?:str|int|bool|list)\(\s*"(\w+)"', (ROOT / "cvms" / "settings.py").read_text()))
    listed = set(dotenv_values(ROOT / ".env.example"))
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert read - listed == set(), "missing from .env.example"
    assert {name for name in read if f"`{name}`" not in table} == set(), "missing from the README's table"


def test_the_image_build_step_passes_the_production_checks():
    """The Dockerfile's collectstatic runs under production settings with build-only values."""
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    step = next(line for line in dockerfile.splitlines() if line.startswith("RUN") and "collectstatic" in line)
    words = shlex.split(step.removeprefix("RUN"))
    env = dict(word.split("=", 1) for word in words[:words.index("python")])
    env["SECRET_KEY"] = secrets.token_urlsafe(64)  # the step makes one with this same call
    assert env["CVMS_ENV"] == "production" and env["DEBUG"] == "false"
    result = _run([sys.executable, "manage.py", "shell", "--no-imports", "-c", "import cvms.wsgi"], env)
    assert result.returncode == 0, result.stderr


def test_the_image_leaves_out_env_files_and_local_state():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env*", ".git", ".venv", ".var", "media", "staticfiles"} <= ignored
