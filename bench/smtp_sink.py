"""A local SMTP server that accepts every message, counts it and throws it away.

Run as its own process, so the server never competes with the sender for the GIL: ``SmtpSink``
starts it, reads the port it listens on, and on ``stop()`` gets the count.

Protocol over stdio: the server prints its port once it accepts connections, then serves until
its stdin closes, then prints the number of messages it received and exits.

It speaks just the SMTP that a client sending mail needs (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT) and finds the end of a message with one search of what has arrived. aiosmtpd, the obvious
choice, reads a message line by line: on a 2-core machine it accepts about 570 messages a second
with no sender work at all, so it would measure itself, not the sender.
"""

import asyncio
import subprocess
import sys

_END_OF_DATA = b"\r\n.\r\n"


class _Session(asyncio.Protocol):
    def __init__(self, server: "_Sink"):
        self.server = server
        self.buffer = bytearray()
        self.in_data = False

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 bench-sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer and not self.transport.is_closing():
            if self.in_data:
                if not self._end_message():
                    return
            elif not self._command():
                return

    def _end_message(self) -> bool:
        # An empty message is just "." on the line after DATA.
        if self.buffer.startswith(b".\r\n"):
            del self.buffer[:3]
        else:
            end = self.buffer.find(_END_OF_DATA)
            if end < 0:
                return False
            del self.buffer[:end + len(_END_OF_DATA)]
        self.in_data = False
        self.server.count += 1
        self.transport.write(b"250 OK: queued\r\n")
        return True

    def _command(self) -> bool:
        end = self.buffer.find(b"\r\n")
        if end < 0:
            return False
        verb = bytes(self.buffer[:4]).upper()
        del self.buffer[:end + 2]
        if verb == b"EHLO":
            self.transport.write(b"250-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        elif verb == b"DATA":
            self.in_data = True
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 Bye\r\n")
            self.transport.close()
        else:  # HELO, MAIL, RCPT, RSET, NOOP: accepted
            self.transport.write(b"250 OK\r\n")
        return True


class _Sink:
    def __init__(self):
        self.count = 0

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Session(self), "127.0.0.1", 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
        server.close()
        print(self.count, flush=True)


class SmtpSink:
    """``with SmtpSink() as sink:`` send to ``127.0.0.1:sink.port``; ``sink.stop()`` returns the count."""

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and this file)
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.port = int(self.process.stdout.readline())
        return self

    def stop(self) -> int:
        out, _err = self.process.communicate(timeout=30)
        return int(out.strip())

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    asyncio.run(_Sink().serve())
