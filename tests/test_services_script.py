"""`make run`'s local servers start wherever the clone sits, root's private home included."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg2
import pytest
import redis

from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".git", ".venv", ".var", "staticfiles", "__pycache__", ".pytest_cache", ".ruff_cache")


def _reachable(pg_port: int, redis_port: int) -> tuple[bool, bool]:
    try:
        psycopg2.connect(host="127.0.0.1", port=pg_port, user="cvms", dbname="cvms", connect_timeout=3).close()
        postgres = True
    except psycopg2.OperationalError:
        postgres = False
    try:
        redis_up = redis.Redis(host="127.0.0.1", port=redis_port, socket_connect_timeout=3).ping()
    except redis.exceptions.ConnectionError:
        redis_up = False
    return postgres, redis_up


@pytest.mark.services
def test_services_start_stop_and_clean_in_a_clone_inside_a_private_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    home.chmod(0o700)  # like /root on a fresh cloud machine: nobody else may even pass through
    clone = home / "cvms"
    shutil.copytree(ROOT, clone, ignore=SKIP)
    pg_port, redis_port = free_port(), free_port()
    env = {**os.environ, "CVMS_PG_PORT": str(pg_port), "CVMS_REDIS_PORT": str(redis_port)}

    def run(*args):
        result = subprocess.run(args, cwd=clone, env=env, capture_output=True, text=True, timeout=180)  # noqa: S603
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    data = None
    try:
        started = run("scripts/services.sh", "start")
        data = Path(re.search(r"data in (\S+)\)", started)[1])
        assert _reachable(pg_port, redis_port) == (True, True)
        assert (data / "PG_VERSION").exists() or not os.access(data, os.R_OK)

        run("scripts/services.sh", "stop")
        assert _reachable(pg_port, redis_port) == (False, False)

        assert "data in" in run("scripts/services.sh", "start")  # the same cluster starts again
        assert _reachable(pg_port, redis_port) == (True, True)
    finally:
        subprocess.run(["make", "clean"], cwd=clone, env=env, capture_output=True, timeout=180)  # noqa: S603, S607
    assert _reachable(pg_port, redis_port) == (False, False)
    assert data is not None and not data.exists(), f"make clean left the cluster at {data}"
    assert not (clone / ".var").exists()


def test_make_treats_empty_server_variables_as_unset():
    env = {**os.environ, "CVMS_PG_PORT": "", "CVMS_REDIS_PORT": " ", "DATABASE_URL": "", "REDIS_URL": ""}
    result = subprocess.run(  # noqa: S603
        ["make", "-s", "--no-print-directory", "--eval", "print-urls: ; @echo $$DATABASE_URL $$REDIS_URL",  # noqa: S607
         "print-urls"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.stdout.split() == ["postgres://cvms@127.0.0.1:5433/cvms", "redis://127.0.0.1:6380/0"], result.stderr
