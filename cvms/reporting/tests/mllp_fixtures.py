"""A state registry's MLLP listener on loopback, started by a test in a thread, and the
acknowledgements it answers with (the ``registry`` fixture is in this folder's conftest)."""

import socketserver
import threading
import time

from conftest import free_port
from cvms.reporting.mllp import END, START


def ack(control_id: str, code: str = "AA", *rest: str) -> bytes:
    segments = ["MSH|^~\\&|NCIR|NCDHHS|CVMS|NCDHHS-CVMS|20210315103001-0500||ACK^V04^ACK|A1|P|2.5.1||||NE|NE|||||"
                "Z23^CDCPHINVS", f"MSA|{code}|{control_id}", *rest]
    return START + "\r".join(segments).encode() + b"\r" + END


def control_id_of(frame: bytes) -> str:
    return frame.strip(START + END).decode().split("\r")[0].split("|")[9]


class Registry(socketserver.ThreadingTCPServer):
    """A state registry's MLLP listener: reads one frame per connection, keeps it, and answers with
    what ``answer(frame)`` returns (bytes, sent in the pieces given), ``None`` to close at once, or
    ``SILENT`` to hold the connection open without a word until the test ends."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer):
        self.answer, self.received, self.stop = answer, [], threading.Event()
        super().__init__(("127.0.0.1", free_port()), RegistryConnection)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


SILENT = object()


class RegistryConnection(socketserver.BaseRequestHandler):
    def handle(self):
        frame = b""
        while END not in frame:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            frame += chunk
        self.server.received.append(frame)
        answer = self.server.answer(frame)
        if answer is SILENT:
            self.server.stop.wait(30)
            return
        for piece in [answer] if isinstance(answer, bytes) else answer or []:
            self.request.sendall(piece)
            time.sleep(0.05)
