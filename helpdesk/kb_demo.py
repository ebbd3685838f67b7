"""``manage.py seed_demo`` loads the knowledge base from the FAQ, as ``load_kb_articles`` does."""

from django.dispatch import receiver

from cvms.demo.seed import demo_seeded
from helpdesk.kb_services import kb_articles_load


@receiver(demo_seeded)
def seed_kb_demo(sender, logins, **kwargs):
    kb_articles_load()
