"""The Account History leaves the system as a CSV file: audited, formula-safe, streamed."""

import itertools
from collections.abc import Iterator

from django.utils import timezone, translation
from django.utils.text import capfirst

from cvms.core.audit import audit_log
from cvms.core.spreadsheet import csv_stream
from cvms.immunizations import choices as c
from cvms.immunizations.models import Immunization
from cvms.immunizations.selectors import HistoryFilters, account_history_values
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.recipients.models import Recipient


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def history_csv_header() -> list[str]:
    """The export's columns, named as the records name their fields (in the active language)."""
    return [_label(Recipient, "first_name"), _label(Recipient, "last_name"), _label(Recipient, "date_of_birth"),
            _label(Immunization, "administered_on"), _label(Immunization, "administered_at"),
            capfirst(VaccineProduct._meta.verbose_name), _label(InventoryLot, "lot_number"),
            _label(Immunization, "dose_number"), _label(Immunization, "site"), _label(Immunization, "route"),
            _label(Immunization, "dose_volume_ml"), _label(Immunization, "given_by"), _label(Immunization, "status"),
            _label(Immunization, "status_reason"), _label(Immunization, "source"), _label(Immunization, "flags")]


#: What the export reads of each dose, in the order of ``history_csv_header``.
EXPORT_FIELDS = ("recipient__first_name", "recipient__last_name", "recipient__date_of_birth", "administered_at",
                 "lot__product__display_name", "lot__lot_number", "dose_number", "site", "route", "dose_volume_ml",
                 "given_by__first_name", "given_by__last_name", "given_by__email", "status", "status_reason", "source",
                 "flags")


def _worded(choices) -> dict[str, str]:
    """A coded field's labels in the active language, looked up once for the whole file (a
    model's ``get_FOO_display`` translates every label again on each call)."""
    return {value: str(label) for value, label in choices}


def history_csv_rows(doses) -> Iterator[list]:
    """The export's rows for ``doses`` (dicts of EXPORT_FIELDS)."""
    site, route = _worded(c.Site.choices), _worded(c.Route.choices)
    status, source = _worded(c.ImmunizationStatus.choices), _worded(c.ImmunizationSource.choices)
    for dose in doses:
        given = timezone.localtime(dose["administered_at"])
        vaccinator = f"{dose['given_by__first_name']} {dose['given_by__last_name']}".strip() or dose["given_by__email"]
        volume = dose["dose_volume_ml"]
        yield [dose["recipient__first_name"], dose["recipient__last_name"],
               dose["recipient__date_of_birth"].strftime("%m/%d/%Y"), given.strftime("%m/%d/%Y"),
               given.strftime("%H:%M"), dose["lot__product__display_name"], dose["lot__lot_number"],
               dose["dose_number"], site.get(dose["site"], dose["site"]), route.get(dose["route"], dose["route"]),
               "" if volume is None else volume, vaccinator, status[dose["status"]], dose["status_reason"],
               source[dose["source"]], "; ".join(c.flags_worded(dose["flags"]))]


def account_history_export(*, location, filters: HistoryFilters, actor) -> Iterator[bytes]:
    """Log that ``actor`` exported the location's Account History as ``filters`` narrow it, and
    return the file's bytes as they are read (every dose, newest first, in the active language)."""
    audit_log(actor=actor, action="immunizations.account_history.exported", obj=location,
              changes=filters.described())
    return _history_csv(location, filters, translation.get_language())


def _history_csv(location, filters: HistoryFilters, language: str) -> Iterator[bytes]:
    # A streamed response is read after the view returns: the file keeps the request's language.
    with translation.override(language):
        doses = account_history_values(location=location, filters=filters, fields=EXPORT_FIELDS)
        yield from csv_stream(itertools.chain([history_csv_header()], history_csv_rows(doses)))
