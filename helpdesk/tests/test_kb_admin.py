"""State staff and help desk agents write the knowledge base in admin: each save goes through
``kb_article_save`` (audited, the searched plain text following the answer); the answer is shown as
Markdown without any HTML of the author's; nobody deletes an article (it is unpublished)."""

import pytest
from django.urls import reverse

from cvms.core.models import AuditLog
from helpdesk.kb_models import KnowledgeArticle
from helpdesk.kb_selectors import kb_search
from helpdesk.kb_services import kb_article_save
from helpdesk.tests.factories import KnowledgeArticleFactory

FORM = {"slug": "second-dose", "audience": "recipient", "published": "on",
        "title_en": "When is my second dose due?", "body_en": "**Three weeks** after the first one.",
        "title_es": "¿Cuándo me toca la segunda dosis?", "body_es": "**Tres semanas** después de la primera."}


@pytest.mark.parametrize("staff", ["agent", "state_reviewer"])
def test_staff_add_an_article_that_is_searchable_at_once_and_audited(request, client, staff):
    user = request.getfixturevalue(staff)
    client.force_login(user)
    response = client.post(reverse("admin:helpdesk_knowledgearticle_add"), FORM)
    assert response.status_code == 302
    article = KnowledgeArticle.objects.get(slug="second-dose")
    assert article.plain_en == "Three weeks after the first one."
    assert [a.slug for a in kb_search(query="tres semanas", lang="es")] == ["second-dose"]
    entry = AuditLog.objects.get(action="helpdesk.kb_article.created", actor=user)
    assert entry.changes["title_en"] == "When is my second dose due?"


@pytest.mark.parametrize("staff", ["agent", "state_reviewer"])
def test_staff_change_an_answer_and_the_search_follows_it(request, client, staff):
    user = request.getfixturevalue(staff)
    article = KnowledgeArticleFactory(**{k: v for k, v in FORM.items() if k != "published"})
    client.force_login(user)
    response = client.post(reverse("admin:helpdesk_knowledgearticle_change", args=[article.pk]),
                           {**FORM, "body_en": "Four weeks for Moderna."})
    assert response.status_code == 302
    assert [a.slug for a in kb_search(query="moderna", lang="en")] == ["second-dose"]
    assert kb_search(query="three", lang="en").count() == 0
    entry = AuditLog.objects.get(action="helpdesk.kb_article.changed", actor=user)
    assert entry.changes == {"body_en": "Four weeks for Moderna."}


def test_html_in_an_answer_is_never_kept_in_the_preview_or_the_article_page(client, agent):
    article = KnowledgeArticleFactory(slug="xss", body_en='<script>alert(1)</script> [site](javascript:alert(2)) '
                                                          '<img src=x onerror=alert(3)>')
    client.force_login(agent)
    pages = [client.get(reverse("admin:helpdesk_knowledgearticle_change", args=[article.pk])).content.decode(),
             client.get(reverse("helpdesk:kb_article", args=["xss"])).content.decode()]
    for page in pages:
        assert "<script>alert(1)" not in page and 'href="javascript:' not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_nobody_deletes_an_article_in_admin(client, state_reviewer):
    article = KnowledgeArticleFactory()
    client.force_login(state_reviewer)
    response = client.post(reverse("admin:helpdesk_knowledgearticle_delete", args=[article.pk]), {"post": "yes"})
    assert response.status_code == 403 and KnowledgeArticle.objects.filter(pk=article.pk).exists()


def test_a_second_article_at_the_same_address_is_refused_naming_the_field(client, agent):
    KnowledgeArticleFactory(slug="second-dose")
    client.force_login(agent)
    response = client.post(reverse("admin:helpdesk_knowledgearticle_add"), FORM)
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


def test_providers_do_not_reach_the_knowledge_base_in_admin(client, tenant_b):
    client.force_login(tenant_b.manager)
    assert client.get(reverse("admin:helpdesk_knowledgearticle_changelist")).status_code in (302, 403)



def test_two_saves_of_one_article_from_copies_read_before_either_keep_both_changes(agent, state_reviewer):
    article = KnowledgeArticleFactory(title_en="Old title", body_es="Respuesta antigua")
    first, second = KnowledgeArticle.objects.get(pk=article.pk), KnowledgeArticle.objects.get(pk=article.pk)
    first.title_en = "New title"
    kb_article_save(article=first, actor=agent, changed=["title_en"])
    second.body_es = "Respuesta nueva"
    kb_article_save(article=second, actor=state_reviewer, changed=["body_es"])
    article.refresh_from_db()
    assert (article.title_en, article.body_es, article.plain_es) == ("New title", "Respuesta nueva", "Respuesta nueva")
