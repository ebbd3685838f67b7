from django.core.management.base import BaseCommand

from helpdesk.kb_services import kb_articles_load


class Command(BaseCommand):
    help = ("Add the FAQ's knowledge base articles that are missing (English and Spanish). Articles already "
            "there are kept as edited. Safe to run again.")

    def handle(self, *args, **options):
        added, kept = kb_articles_load()
        if options["verbosity"]:
            self.stdout.write(f"Knowledge base articles: {added} added, {kept} already there.")
