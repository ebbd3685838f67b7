from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cvms.core.errors import ServiceError
from cvms.health_cards.issue import health_card_issue
from cvms.recipients.models import Recipient


class Command(BaseCommand):
    help = "Write a recipient's SMART Health Card file (.smart-health-card), signed with the key the site publishes."

    def add_arguments(self, parser):
        parser.add_argument("--recipient", required=True, type=int, help="The recipient's id.")
        parser.add_argument("--out", required=True, help="The .smart-health-card file to write.")

    def handle(self, *args, recipient, out, **options):
        person = Recipient.objects.filter(pk=recipient).first()
        if person is None:
            raise CommandError(f"--recipient: there is no recipient {recipient}.")
        try:
            card = health_card_issue(recipient=person, integration="manage.py issue_health_card")
        except ServiceError as error:
            raise CommandError(f"--recipient {recipient}: {error}") from None
        try:
            Path(out).write_bytes(card.file_content())
        except OSError as error:
            raise CommandError(f"--out: cannot write {out}: {error.strerror}") from None
        self.stdout.write(f"Wrote the health card of recipient {recipient} to {out}.")
