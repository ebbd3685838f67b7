"""Servers a test starts of its own, and waiting for them."""

import signal
import socket
import subprocess
import time
from pathlib import Path

from conftest import free_port


def answers(port: int, probe: bytes) -> bool:
    """Whether something on ``port`` answers ``probe`` with a few bytes."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(probe)
            return bool(sock.recv(16))
    except OSError:
        return False


def wait_until(predicate, failure: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(failure)


class RedisServer:
    """A throwaway Redis on a free port, without persistence, that the test stops and starts
    again on the same port."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                   "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # noqa: S603
        wait_until(lambda: answers(self.port, b"PING\r\n"), "Redis did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server (``SIGKILL``: at once, dropping every connection as a crash would)."""
        if self.process is not None:
            self.process.send_signal(sig)
            self.process.wait(timeout=20)
            self.process = None
