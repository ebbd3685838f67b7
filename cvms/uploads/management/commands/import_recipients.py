"""Back-end recipient load for ops and the help desk: any size, streamed, same rules as the portal."""

import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from cvms.organizations.models import Location
from cvms.uploads.models import UploadChannel
from cvms.uploads.parsing import FileRefused
from cvms.uploads.selectors import upload_failed_records
from cvms.uploads.services.intake import upload_create
from cvms.uploads.services.processing import upload_process


class Command(BaseCommand):
    help = ("Load recipients from a CSV or XLSX file into a location, with no 5,000-row cap. "
            "Failed rows are reported per line; rows already loaded are never loaded twice.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX with FirstName, LastName, Date of birth, Email")
        parser.add_argument("--location", required=True, metavar="PIN", help="Provider PIN, e.g. NCA000001")
        parser.add_argument("--json", action="store_true", help="print one JSON object with the counts and errors")
        parser.add_argument("--errors-out", metavar="PATH", help="write the failed-records CSV here")
        parser.add_argument("--no-email", action="store_true", help="do not send welcome emails")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            self._refuse(f"No such file: {path}", options)
        location = Location.objects.filter(provider_pin=options["location"].strip().upper()).first()
        if location is None:
            self._refuse(f"No location has the Provider PIN {options['location']}.", options)
        with path.open("rb") as handle:
            try:
                upload = upload_create(file=File(handle, name=path.name), filename=path.name,
                                       channel=UploadChannel.BACKEND, location=location,
                                       uploaded_by_label="import_recipients", send_welcome=not options["no_email"])
            except FileRefused as refusal:
                self._refuse(str(refusal), options)
        upload = upload_process(upload_id=upload.pk)
        if options["errors_out"]:
            content, _name, _type = upload_failed_records(upload=upload, fmt="csv")
            Path(options["errors_out"]).write_bytes(content)
        if options["json"]:
            errors = [{"line": e.line, "error": e.message} for e in upload.errors.order_by("line").iterator()]
            self.stdout.write(json.dumps({"total": upload.total_rows, "created": upload.created_count,
                                          "failed": upload.failed_count, "errors": errors}))
        else:
            self.stdout.write(f"Upload {upload.pk} ({upload.get_status_display()}): {upload.total_rows} rows, "
                              f"{upload.created_count} created, {upload.failed_count} failed.")
            if upload.failed_count and not options["errors_out"]:
                self.stdout.write("Use --errors-out PATH to write the failed-records file.")

    def _refuse(self, message: str, options) -> None:
        """Nothing was loaded: say why, as JSON too when asked (tools read stdout), and exit 1."""
        if options["json"]:
            self.stdout.write(json.dumps({"total": 0, "created": 0, "failed": 0, "errors": [], "error": message}))
        raise CommandError(message)
