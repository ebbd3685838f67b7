"""Typing a question into a description field that opts into suggestions shows the matching
knowledge base article below it, in English and in Spanish; the article opens in a new tab, and
the page passes axe with the suggestions shown. The knowledge base search page finds it too."""

import pytest

from helpdesk.tests.factories import KnowledgeArticleFactory
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.urls("helpdesk.tests.kb_test_urls")]


@pytest.fixture
def upload_article(db):
    return KnowledgeArticleFactory(
        slug="upload-more-than-100-employees", audience="provider",
        title_en="How can I upload more than 100 eligible employees?",
        body_en="Use the **high volume** upload, or send one file per location to the Help Desk.",
        title_es="¿Cómo cargo a más de 100 empleados elegibles?",
        body_es="Use la carga de **volumen alto**, o envíe un archivo por ubicación al Portal de Asistencia.")


def _suggestions(page, text):
    page.get_by_label("Description of request").press_sequentially(text, delay=20)
    region = page.locator("[aria-live=polite]")
    region.get_by_role("link").first.wait_for()
    return region


def test_typing_a_question_suggests_the_article_in_english_opening_in_a_new_tab(page, upload_article):
    page.goto("/test/describe/")
    region = _suggestions(page, "How do I upload 3000 employees")
    link = region.get_by_role("link", name="How can I upload more than 100 eligible employees?")
    assert link.get_attribute("target") == "_blank"
    assert "Articles that may answer your question" in region.inner_text()
    assert_accessible(page)
    with page.context.expect_page() as opened:
        link.click()
    article = opened.value
    article.wait_for_load_state()
    assert article.get_by_role("heading", level=1).inner_text() == "How can I upload more than 100 eligible employees?"
    assert_accessible(article)


def test_typing_a_question_in_spanish_suggests_the_article_in_spanish(page, live_server, upload_article):
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.goto("/test/describe/")
    region = _suggestions(page, "necesito cargar muchos empleados")
    assert region.get_by_role("link", name="¿Cómo cargo a más de 100 empleados elegibles?").is_visible()
    assert_accessible(page)


def test_the_knowledge_base_search_page_finds_the_article_with_the_words_marked(page, upload_article):
    page.goto("/helpdesk/kb/")
    assert_accessible(page)
    page.get_by_label("Search the knowledge base").fill("high volume")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="How can I upload more than 100 eligible employees?").wait_for()
    assert page.locator("mark").first.inner_text().lower() in ("high", "volume")
    assert_accessible(page)


def test_a_visitor_searches_the_knowledge_base_from_the_help_desk_home(page, upload_article):
    page.goto("/helpdesk/")
    assert_accessible(page)
    page.get_by_label("Search the knowledge base").fill("employees")
    page.get_by_label("Search the knowledge base").press("Enter")
    page.get_by_role("link", name="How can I upload more than 100 eligible employees?").wait_for()
