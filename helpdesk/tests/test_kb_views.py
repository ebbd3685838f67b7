"""The knowledge base pages, open to everyone: the search page, an article, and the suggestions a
description field asks for while it is typed (JSON, at most five, rate-limited, kept briefly)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from helpdesk.kb_models import KnowledgeArticle
from helpdesk.tests.factories import KnowledgeArticleFactory

pytestmark = pytest.mark.django_db
SUGGEST = "/helpdesk/kb/suggest"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def proof():
    return KnowledgeArticleFactory(
        slug="proof-of-vaccination", title_en="How can I get proof of vaccination?",
        body_en="Sign in to the **Recipient Portal** to download it.",
        title_es="¿Cómo obtengo un comprobante de vacunación?",
        body_es="Inicie sesión en el **Portal de Vacunados** para descargarlo.")


def test_anyone_searches_and_sees_ranked_results_with_marked_snippets(client, proof):
    response = client.get(reverse("helpdesk:kb_search"), {"q": "download proof"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="/helpdesk/kb/proof-of-vaccination/"' in body and "<mark>download</mark>" in body


def test_the_search_page_speaks_spanish_to_a_spanish_reader(client, proof):
    client.cookies["django_language"] = "es"
    body = client.get(reverse("helpdesk:kb_search"), {"q": "comprobante vacunacion"}).content.decode()
    assert "¿Cómo obtengo un comprobante de vacunación?" in body and "How can I get" not in body


def test_the_search_page_without_a_query_shows_the_form_only(client, proof):
    response = client.get(reverse("helpdesk:kb_search"))
    assert response.status_code == 200 and "kb-results" not in response.content.decode()


def test_results_come_ten_to_a_page(client):
    for n in range(12):
        KnowledgeArticleFactory(title_en=f"Inventory question {n}")
    first = client.get(reverse("helpdesk:kb_search"), {"q": "inventory"}).content.decode()
    second = client.get(reverse("helpdesk:kb_search"), {"q": "inventory", "page": "2"}).content.decode()
    assert first.count("usa-collection__item") == 10 and second.count("usa-collection__item") == 2
    assert "12 articles" in first


def test_a_page_number_that_is_not_one_shows_a_page_never_an_error(client, proof):
    assert client.get(reverse("helpdesk:kb_search"), {"q": "proof", "page": "x\x00"}).status_code == 200


def test_an_article_is_shown_rendered_in_the_readers_language(client, proof):
    url = reverse("helpdesk:kb_article", args=["proof-of-vaccination"])
    assert "<strong>Recipient Portal</strong>" in client.get(url).content.decode()
    client.cookies["django_language"] = "es"
    assert "<strong>Portal de Vacunados</strong>" in client.get(url).content.decode()


def test_an_unpublished_or_unknown_article_is_not_found(client, agent):
    KnowledgeArticleFactory(slug="draft", published=False)
    client.force_login(agent)  # agents preview drafts in admin, not here
    assert client.get(reverse("helpdesk:kb_article", args=["draft"])).status_code == 404
    assert client.get(reverse("helpdesk:kb_article", args=["nothing-here"])).status_code == 404


@pytest.mark.parametrize("name,args", [("helpdesk:kb_search", []), ("helpdesk:kb_suggest", []),
                                       ("helpdesk:kb_article", ["proof-of-vaccination"])])
def test_posting_to_a_knowledge_base_page_is_405(client, proof, name, args):
    assert client.post(reverse(name, args=args)).status_code == 405


def test_suggestions_answer_title_address_and_plain_snippet(client, proof):
    response = client.get(SUGGEST, {"q": "I need my proof of vaccination"})
    [result] = response.json()["results"]
    assert response["Content-Type"] == "application/json"
    assert result["title"] == "How can I get proof of vaccination?"
    assert result["url"] == "/helpdesk/kb/proof-of-vaccination/"
    snippet = result["snippet"]
    assert "Recipient Portal" in snippet and "<" not in snippet and "\ue000" not in snippet


def test_suggestions_in_spanish_for_a_spanish_reader(client, proof):
    client.cookies["django_language"] = "es"
    [result] = client.get(SUGGEST, {"q": "necesito mi comprobante"}).json()["results"]
    assert result["title"] == "¿Cómo obtengo un comprobante de vacunación?"


def test_suggestions_are_at_most_five(client):
    for n in range(9):
        KnowledgeArticleFactory(title_en=f"Transfer question {n}")
    assert len(client.get(SUGGEST, {"q": "transfer"}).json()["results"]) == 5


@pytest.mark.parametrize("query", ["", "   ", "\x00", "proof\x00vaccination" * 5000, "💉" * 3000, "<script>"])
def test_empty_huge_and_nul_queries_answer_a_list_never_an_error(client, proof, query):
    response = client.get(SUGGEST, {"q": query})
    assert response.status_code == 200 and isinstance(response.json()["results"], list)


def test_no_query_at_all_suggests_nothing(client, proof):
    assert client.get(SUGGEST).json() == {"results": []}


def test_suggestions_are_kept_briefly_so_a_new_article_shows_after_the_cache_expires(client, proof):
    assert len(client.get(SUGGEST, {"q": "vaccination"}).json()["results"]) == 1
    KnowledgeArticleFactory(title_en="Vaccination sites")
    assert len(client.get(SUGGEST, {"q": "vaccination"}).json()["results"]) == 1
    cache.clear()
    assert len(client.get(SUGGEST, {"q": "vaccination"}).json()["results"]) == 2


def test_an_address_asking_too_often_gets_429_with_retry_after(client, proof, settings):
    settings.CVMS_KB_SUGGESTIONS_PER_MINUTE = 3
    codes = [client.get(SUGGEST, {"q": f"proof {n}"}, REMOTE_ADDR="198.51.100.20").status_code for n in range(4)]
    refused = client.get(SUGGEST, {"q": "proof"}, REMOTE_ADDR="198.51.100.20")
    assert codes == [200, 200, 200, 429] and refused["Retry-After"] == "60"
    assert "error" in refused.json()
    assert client.get(SUGGEST, {"q": "proof"}, REMOTE_ADDR="198.51.100.21").status_code == 200


def test_an_unknown_audience_means_every_article(client, proof):
    assert len(client.get(SUGGEST, {"q": "proof", "audience": "nobody"}).json()["results"]) == 1
    assert KnowledgeArticle.objects.count() == 1


def test_the_help_desk_home_offers_the_knowledge_base_search(client, proof):
    body = client.get(reverse("helpdesk:home")).content.decode()
    assert 'data-testid="kb-search"' in body and f'action="{reverse("helpdesk:kb_search")}"' in body


def test_suggestions_still_answer_while_redis_is_down(client, proof, settings):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/1"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": dead}}
    response = client.get(SUGGEST, {"q": "proof of vaccination"})
    assert response.status_code == 200 and len(response.json()["results"]) == 1
