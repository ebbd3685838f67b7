import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def clear_rate_limits():
    """allauth's other rate limits (password reset, sign-up) count in the cache."""
    cache.clear()
    yield
    cache.clear()
