"""``manage.py load_kb_articles`` (and the demo seed) add the FAQ's articles in both languages;
running it again adds nothing and keeps what staff edited since."""

import json

import pytest
from django.core.management import call_command

from cvms.demo.seed import seed_demo_everywhere
from helpdesk.kb_models import Audience, KnowledgeArticle
from helpdesk.kb_selectors import kb_search
from helpdesk.kb_services import FAQ_FILE

pytestmark = pytest.mark.django_db
FAQ = json.loads(FAQ_FILE.read_text(encoding="utf-8"))


def test_the_faq_file_has_every_article_in_both_languages_for_a_known_audience():
    assert len(FAQ) >= 41 and len({e["slug"] for e in FAQ}) == len(FAQ)
    for entry in FAQ:
        assert all(entry[f].strip() for f in ("title_en", "body_en", "title_es", "body_es")), entry["slug"]
        assert entry["audience"] in Audience.values


def test_loading_twice_adds_the_articles_once_and_keeps_staff_edits(capsys):
    call_command("load_kb_articles")
    assert f"{len(FAQ)} added, 0 already there" in capsys.readouterr().out
    KnowledgeArticle.objects.filter(slug="what-is-cvms").update(title_en="Edited by staff")
    call_command("load_kb_articles")
    assert f"0 added, {len(FAQ)} already there" in capsys.readouterr().out
    assert KnowledgeArticle.objects.count() == len(FAQ)
    assert KnowledgeArticle.objects.get(slug="what-is-cvms").title_en == "Edited by staff"


def test_the_loaded_faq_answers_the_help_desk_questions_in_both_languages():
    call_command("load_kb_articles", verbosity=0)
    assert kb_search(query="upload more than 100 employees", lang="en")[0].slug == "upload-more-than-100-employees"
    assert kb_search(query="código de registro genérico", lang="es")[0].slug == "register-for-the-help-desk"
    assert kb_search(query="downtime", lang="en")[0].slug == "downtime-windows"


def test_a_deleted_article_comes_back_at_the_next_load():
    call_command("load_kb_articles", verbosity=0)
    KnowledgeArticle.objects.filter(slug="spanish").delete()
    call_command("load_kb_articles", verbosity=0)
    assert KnowledgeArticle.objects.filter(slug="spanish", published=True).exists()


def test_the_demo_seed_loads_the_knowledge_base(reference_data):
    seed_demo_everywhere()
    assert KnowledgeArticle.objects.published().count() == len(FAQ)
