#!/usr/bin/env python
"""Run the benchmarks under bench/ against a dedicated PostgreSQL database and print a table.

Each ``bench/bench_*.py`` module has ``run() -> list[Result]``. The database is ``<name>_bench``
beside the development one, migrated fresh for each run, so benchmark volumes never touch demo data.
"""

import importlib
import os
import pkgutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvms.settings")
# Tasks queued by a benchmark carry ids from the bench database: they go to a queue that no
# development worker serves (a benchmark that queues tasks purges it when done).
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "cvms-bench")
# Server time as production spends it: no query log, no template debugging.
os.environ.setdefault("DEBUG", "false")


@dataclass
class Result:
    name: str
    volume: str
    seconds: float
    target: str = ""
    peer: str = ""
    peer_seconds: float | None = None

    @property
    def ratio(self) -> str:
        if not self.peer_seconds:
            return ""
        if self.peer_seconds >= self.seconds:
            return f"{self.peer_seconds / self.seconds:.1f}x faster than peer"
        return f"{self.seconds / self.peer_seconds:.1f}x slower than peer"


def median_of(runs: int, fn, setup=None) -> float:
    """Median wall time of ``fn`` over ``runs`` runs; ``setup`` runs untimed before each."""
    times = []
    for _ in range(runs):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _use_bench_database():
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "postgres://cvms@127.0.0.1:5433/cvms")
    config = dj_database_url.parse(url)
    bench_name = f"{config['NAME']}_bench"
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"],
                            password=config["PASSWORD"] or None)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{bench_name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{bench_name}"')
    conn.close()
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + bench_name


def main(selected: list[str]) -> None:
    # Uploaded files land in a scratch folder, removed at the end, never in the development media.
    with tempfile.TemporaryDirectory(prefix="cvms-bench-media-") as media:
        os.environ["MEDIA_ROOT"] = media
        _run(selected)


def _run(selected: list[str]) -> None:
    _use_bench_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    import bench

    results: list[Result] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")):
        if selected and module not in selected:
            continue
        print(f"running {module} ...", file=sys.stderr, flush=True)
        results.extend(importlib.import_module(f"bench.{module}").run())
    print()
    print("| benchmark | volume | median s | target | peer | peer s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        peer_s = f"{r.peer_seconds:.3f}" if r.peer_seconds is not None else ""
        print(f"| {r.name} | {r.volume} | {r.seconds:.3f} | {r.target} | {r.peer} | {peer_s} | {r.ratio} |")


if __name__ == "__main__":
    main(sys.argv[1:])
