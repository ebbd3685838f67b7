"""Chunks stored side by side, committed in file order."""

import queue
import threading
from collections import deque
from concurrent.futures import Future, wait
from functools import partial

from django.db import connection


class ChunkWriters:
    """Store checked chunks in threads of their own, each with its own database connection,
    while the calling thread reads and checks the next chunk (the database driver lets go of the
    interpreter lock while it waits on the server).

    With several writers, chunks are inserted side by side but commit strictly in file order:
    each waits for the chunk before it to commit before it moves the checkpoint, so the
    checkpoint always covers exactly the rows committed. A chunk that fails rolls back itself and
    every chunk after it; the failure is raised here, at the next chunk or at the end.
    """

    def __init__(self, count: int):
        self.queues = [queue.SimpleQueue() for _ in range(count)]
        self.threads = [threading.Thread(target=self._work, args=(q,), name=f"upload-writer-{n}", daemon=True)
                        for n, q in enumerate(self.queues)]
        self.in_flight: deque[Future] = deque()
        self.previous = Future()  # the first chunk's "chunk before": done already
        self.previous.set_result(None)
        self.submitted = 0

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    @staticmethod
    def _work(jobs: queue.SimpleQueue) -> None:
        try:
            while (job := jobs.get()) is not None:
                store, future = job
                try:
                    future.set_result(store())
                except BaseException as exc:  # noqa: BLE001 (handed to the calling thread)
                    future.set_exception(exc)
        finally:
            connection.close()  # this thread's own connection

    def __call__(self, store) -> None:
        """Queue ``store(after=<the previous chunk's future>)``."""
        if len(self.in_flight) == len(self.queues):
            self.in_flight.popleft().result()
        future = Future()
        self.queues[self.submitted % len(self.queues)].put((partial(store, after=self.previous), future))
        self.submitted += 1
        self.previous = future
        self.in_flight.append(future)

    def __exit__(self, exc_type, exc, tb):
        try:
            wait(self.in_flight)
            if exc_type is None:
                for future in self.in_flight:
                    future.result()
        finally:
            for jobs in self.queues:
                jobs.put(None)
            for thread in self.threads:
                thread.join()
