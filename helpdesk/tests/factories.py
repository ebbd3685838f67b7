import factory

from helpdesk.kb_models import Audience, KnowledgeArticle
from helpdesk.kb_services import kb_article_save


class KnowledgeArticleFactory(factory.django.DjangoModelFactory):
    """An article written as admin writes one (through ``kb_article_save``), published."""

    class Meta:
        model = KnowledgeArticle

    slug = factory.Sequence(lambda n: f"article-{n}")
    audience = Audience.EVERYONE
    published = True
    title_en = factory.Sequence(lambda n: f"Article {n}")
    body_en = "An answer."
    title_es = factory.Sequence(lambda n: f"Artículo {n}")
    body_es = "Una respuesta."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return kb_article_save(article=model_class(**kwargs), actor=None, changed=list(kwargs))
