"""Nothing lost on the way out: each new dose, correction and entered-in-error record writes one
reporting event in its own transaction, and a change rolled back writes none."""

import pytest
from django.db import transaction

from cvms.core.errors import ServiceError
from cvms.immunizations.choices import Site
from cvms.immunizations.services.administer import (
    immunization_edit,
    immunization_mark_entered_in_error,
    immunization_record_each,
)
from cvms.recipients.tests.factories import RecipientFactory
from cvms.reporting.events import report_event_add
from cvms.reporting.models import ReportEvent, ReportEventKind
from cvms.reporting.tests.cvrs_fixtures import give_fixture, lot_fixture  # noqa: F401 (fixtures)


class Rollback(Exception):
    pass


def _events(immunization):
    return list(ReportEvent.objects.filter(immunization_id=immunization.pk).values_list("kind", flat=True))


def test_a_recorded_dose_writes_one_created_event(give):
    dose = give()
    assert _events(dose) == [ReportEventKind.CREATED]


def test_a_dose_rolled_back_writes_no_event(give):
    with pytest.raises(Rollback), transaction.atomic():
        give()
        raise Rollback
    assert not ReportEvent.objects.exists()


def test_a_second_dose_the_same_day_refused_by_the_database_writes_no_event(give):
    recipient = RecipientFactory()
    give(recipient)
    with pytest.raises(ServiceError, match="already has a dose"):
        give(recipient)
    assert ReportEvent.objects.count() == 1


def test_each_dose_of_a_clinic_batch_writes_one_event(lot, tenant_a):
    calls = [dict(recipient=RecipientFactory(), lot=lot, dose_number=1, site=Site.LEFT_ARM,
                  given_by=tenant_a.vaccinator, confirmed=True) for _ in range(2)]
    doses = immunization_record_each(calls)
    assert [_events(dose) for dose in doses] == [[ReportEventKind.CREATED]] * 2


def test_a_correction_writes_one_changed_event(give, tenant_a):
    dose = give()
    immunization_edit(immunization=dose, actor=tenant_a.manager, site=Site.RIGHT_ARM)
    assert _events(dose) == [ReportEventKind.CREATED, ReportEventKind.CHANGED]


def test_a_correction_that_changes_nothing_writes_no_event(give, tenant_a):
    dose = give()
    immunization_edit(immunization=dose, actor=tenant_a.manager, site=dose.site)
    assert _events(dose) == [ReportEventKind.CREATED]


def test_a_refused_correction_writes_no_event(give, tenant_b):
    dose = give()
    with pytest.raises(ServiceError):
        immunization_edit(immunization=dose, actor=tenant_b.manager, site=Site.RIGHT_ARM)
    assert _events(dose) == [ReportEventKind.CREATED]


def test_entered_in_error_writes_one_deleted_event(give, tenant_a):
    dose = give()
    immunization_mark_entered_in_error(immunization=dose, actor=tenant_a.manager, reason="wrong recipient")
    with pytest.raises(ServiceError):
        immunization_mark_entered_in_error(immunization=dose, actor=tenant_a.manager, reason="again")
    assert _events(dose) == [ReportEventKind.CREATED, ReportEventKind.DELETED]



@pytest.mark.django_db(transaction=True)
def test_an_event_outside_the_transaction_of_a_change_is_refused(give):
    dose = give()
    with pytest.raises(RuntimeError, match="in the transaction of the change"):
        report_event_add(immunization_id=dose.pk, kind=ReportEventKind.CHANGED)
    assert _events(dose) == [ReportEventKind.CREATED]
