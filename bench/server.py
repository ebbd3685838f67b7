"""The production server for benchmarks: gunicorn started with the Dockerfile's own command on a free
local port, DEBUG off."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time

from bench.run import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dockerfile_command() -> list[str]:
    line = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    return json.loads(line[4:])


def dockerfile_workers() -> int:
    command = dockerfile_command()
    return int(command[command.index("--workers") + 1])


def gunicorn_start(port: int, *, workers: int | None = None) -> subprocess.Popen:
    """Gunicorn as the image runs it (``workers`` in place of the Dockerfile's count when given),
    answering ``/livez``. Development settings with DEBUG off: production's would also want
    collected static files and HTTPS, which touch no request a benchmark times."""
    command = [sys.executable, "-m"] + [f"127.0.0.1:{port}" if arg.endswith(":8000") else arg
                                        for arg in dockerfile_command()]
    if workers is not None:
        command[command.index("--workers") + 1] = str(workers)
    env = dict(os.environ, CVMS_ENV="development", DEBUG="false", ALLOWED_HOSTS="127.0.0.1")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,  # noqa: S603
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/livez")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not answer within 60 s")


def gunicorn_stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)
