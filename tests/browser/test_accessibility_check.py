"""The accessibility check every browser test relies on: it finds what axe-core finds, on a phone
and on a desktop, and sends axe-core into a document only once."""

from urllib.parse import quote

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from tests.browser.conftest import PHONE, assert_accessible

pytestmark = pytest.mark.browser

UNLABELLED_IMAGE = '<!DOCTYPE html><html lang="en"><head><title>Check</title></head><body><main>' \
                   '<h1>Check</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>'
CLEAN = UNLABELLED_IMAGE.replace('<img src=', '<img alt="A dot" src=')


def _data_url(html: str) -> str:
    return "data:text/html;charset=utf-8," + quote(html)


class _CountsAxeSent:
    """The page, counting how often axe-core itself is sent to it."""

    def __init__(self, page):
        self.page, self.sent = page, 0

    def evaluate(self, expression, *args):
        self.sent += expression == AXE_SCRIPT
        return self.page.evaluate(expression, *args)

    def __getattr__(self, name):
        return getattr(self.page, name)


@pytest.fixture
def blank_page(browser):
    context = browser.new_context(locale="en-US")
    yield _CountsAxeSent(context.new_page())
    context.close()


def test_a_violation_is_reported_at_each_check_and_axe_is_sent_once_per_document(blank_page):
    blank_page.goto(_data_url(UNLABELLED_IMAGE))
    for size in (PHONE, {"width": 1280, "height": 900}):
        blank_page.set_viewport_size(size)
        with pytest.raises(AssertionError, match="image-alt"):
            assert_accessible(blank_page)
    assert blank_page.sent == 1

    blank_page.goto(_data_url(CLEAN))  # a new document: axe-core goes in again
    assert_accessible(blank_page)
    assert blank_page.sent == 2
