from django.core.management.base import BaseCommand, CommandError

from cvms.immunizations.models import Immunization
from cvms.reporting.hl7 import VxuAction, VxuBuildError, vxu_message


class Command(BaseCommand):
    help = ("Print the HL7 v2.5.1 VXU^V04 message of an immunization as it would go to the state registry, one "
            "segment a line (on the wire segments end with a carriage return: --wire).")

    def add_arguments(self, parser):
        parser.add_argument("--immunization", required=True, type=int, help="The immunization's id.")
        parser.add_argument("--action", choices=VxuAction.values,
                            help="RXA-21: A add, U update, D delete (read from the record when not given).")
        parser.add_argument("--wire", action="store_true", help="Segments ended by a carriage return, as sent.")

    def handle(self, *args, immunization, action, wire, **options):
        record = Immunization.objects.filter(pk=immunization).first()
        if record is None:
            raise CommandError(f"--immunization: there is no immunization {immunization}.")
        try:
            message = vxu_message(record, action=VxuAction(action) if action else None)
        except VxuBuildError as error:
            raise CommandError(f"--immunization {immunization}: the message cannot be built: {error}") from None
        self.stdout.write(message + "\r" if wire else message.replace("\r", "\n"), ending="" if wire else "\n")
