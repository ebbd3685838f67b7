from django.core.management.base import BaseCommand

from cvms.core.outbox import RELAY_LIMIT, outbox_relay


class Command(BaseCommand):
    help = "Publish to Celery the tasks recorded in PostgreSQL that are not sent yet (after Redis was down)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=RELAY_LIMIT, help="publish at most this many tasks")

    def handle(self, *args, limit, **options):
        published = outbox_relay(limit=limit)
        self.stdout.write(f"Published {published} task(s).")
