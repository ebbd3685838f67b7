import pytest

from cvms.reporting.tests.mllp_fixtures import Registry


@pytest.fixture
def registry():
    started = []

    def start(answer) -> Registry:
        started.append(Registry(answer))
        return started[-1]

    yield start
    for server in started:
        server.stop.set()
        server.shutdown()
        server.server_close()
