"""The Account History leaves the system as a CSV file: audited, formula-safe, streamed."""

import itertools
from collections.abc import Iterator

from django.utils import timezone, translation
from django.utils.text import capfirst

from cvms.core.audit import audit_log
from cvms.core.spreadsheet import csv_stream
from cvms.immunizations.models import Immunization
from cvms.immunizations.selectors import HistoryFilters, account_history_all
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


def history_csv_row(dose: Immunization) -> list:
    given = timezone.localtime(dose.administered_at)
    recipient = dose.recipient
    return [recipient.first_name, recipient.last_name, recipient.date_of_birth.strftime("%m/%d/%Y"),
            given.strftime("%m/%d/%Y"), given.strftime("%H:%M"), dose.lot.product.display_name, dose.lot.lot_number,
            dose.dose_number, dose.get_site_display(), dose.get_route_display(),
            "" if dose.dose_volume_ml is None else dose.dose_volume_ml, dose.given_by.get_full_name(),
            dose.get_status_display(), dose.status_reason, dose.get_source_display(), "; ".join(dose.flag_texts)]


def account_history_export(*, location, filters: HistoryFilters, actor) -> Iterator[bytes]:
    """Log that ``actor`` exported the location's Account History as ``filters`` narrow it, and
    return the file's bytes as they are read (every dose, newest first, in the active language)."""
    audit_log(actor=actor, action="immunizations.account_history.exported", obj=location,
              changes=filters.described())
    return _history_csv(location, filters, translation.get_language())


def _history_csv(location, filters: HistoryFilters, language: str) -> Iterator[bytes]:
    # A streamed response is read after the view returns: the file keeps the request's language.
    with translation.override(language):
        doses = account_history_all(location=location, filters=filters)
        yield from csv_stream(itertools.chain([history_csv_header()], map(history_csv_row, doses)))
