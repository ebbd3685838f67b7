"""Test processes side by side (``pytest -n 2``, pytest-xdist): what each one must have of its own.

pytest-django already gives each process its own PostgreSQL database (``test_cvms_gw0``,
``test_cvms_gw1``). Each also needs its own Redis database (a test that clears the cache empties
that database, Celery's queue included), its own Celery queue (its session worker must never take
the other's tasks) and its own share of ``CVMS_TEST_EXTRA_PORTS`` (two processes probing one range
could both pick the same free port). The settings read these from the environment when a process
starts, so the controller sets them in each worker's environment before the worker imports Django.
"""

from urllib.parse import urlsplit, urlunsplit

#: The Redis URL settings of a test process: each worker moves them to a database of its own.
REDIS_URL_VARIABLES = ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")


def redis_database_moved(url: str, by: int) -> str:
    """``url`` with its Redis database number raised by ``by`` (``redis://host:6380/1`` -> ``/2``)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + by
    if number > 15:
        raise ValueError(f"{url} moved by {by} is past Redis's last default database (15): run fewer workers")
    return urlunsplit(parts._replace(path=f"/{number}"))


def port_share(ports: str, index: int, count: int) -> str:
    """Worker ``index`` of ``count``'s part of a ``first-last`` port range, as ``first-last``."""
    first, _, last = ports.partition("-")
    first, last = int(first), int(last or first)
    size = (last - first + 1) // count
    if size < 1:
        raise ValueError(f"CVMS_TEST_EXTRA_PORTS={ports} has fewer ports than the {count} test workers")
    start = first + index * size
    return f"{start}-{start + size - 1}"


def worker_environment(index: int, count: int, *, environ: dict, redis_url: str, queue: str) -> dict[str, str]:
    """The variables worker ``index`` of ``count`` starts with, from the controller's ``environ``
    and its settings' ``redis_url`` and Celery ``queue``."""
    env = {"CELERY_TASK_DEFAULT_QUEUE": f"{queue}-gw{index}"}
    for name in REDIS_URL_VARIABLES:
        value = (environ.get(name) or "").strip() or (redis_url if name == "REDIS_URL" else "")
        if value:
            env[name] = redis_database_moved(value, index)
    ports = (environ.get("CVMS_TEST_EXTRA_PORTS") or "").strip()
    if ports:
        env["CVMS_TEST_EXTRA_PORTS"] = port_share(ports, index, count)
    return env
