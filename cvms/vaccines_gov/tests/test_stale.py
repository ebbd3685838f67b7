"""29 days: figures not updated show "Call to confirm" in the file, and the managers are warned
once per stale period (banner on the location's pages, an email through the outbox)."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cvms.core.models import AuditLog, OutboxMessage
from cvms.vaccines_gov.choices import SupplyLevel
from cvms.vaccines_gov.export import export_rows
from cvms.vaccines_gov.selectors import location_is_stale, stale_locations
from cvms.vaccines_gov.services import stale_warning_email_send, stale_warnings_send, vaccines_gov_settings_save
from cvms.vaccines_gov.tests.conftest import LISTED, receive

TASK = "cvms.vaccines_gov.tasks.send_stale_warning"


@pytest.fixture
def stale(tenant_a, gray, monkeypatch):
    """Tenant A's location, listed, whose gray-cap doses arrived and were confirmed 30 days ago."""
    then = timezone.now() - datetime.timedelta(days=30)
    receive(tenant_a.location, gray, 60, when=then, monkeypatch=monkeypatch)
    monkeypatch.setattr(timezone, "now", lambda: then)
    vaccines_gov_settings_save(location=tenant_a.location, actor=tenant_a.manager, fields=dict(LISTED),
                               products={gray.pk: {"in_stock": True, "supply_level": SupplyLevel.OVER_48_HOURS}})
    monkeypatch.undo()
    return tenant_a.location



def _rows():
    header, *rows = export_rows(as_of=timezone.localdate())
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_figures_older_than_29_days_show_call_to_confirm_in_the_file(stale):
    (row,) = _rows()
    # in stock as reported, the old date kept, and no current supply level: Vaccines.gov shows
    # "Call to confirm" for in stock with a quantity last updated more than 29 days ago.
    assert row["in_stock"] == "true" and row["supply_level"] == SupplyLevel.NO_REPORT
    assert row["quantity_last_updated"] == (timezone.localdate() - datetime.timedelta(days=30)).isoformat()


def test_figures_updated_29_days_ago_are_still_in_stock(tenant_a, gray, monkeypatch):
    then = timezone.now() - datetime.timedelta(days=29)
    receive(tenant_a.location, gray, 60, when=then, monkeypatch=monkeypatch)
    vaccines_gov_settings_save(location=tenant_a.location, actor=tenant_a.manager, fields=dict(LISTED))
    (row,) = _rows()
    assert (row["in_stock"], row["supply_level"]) == ("true", SupplyLevel.NO_REPORT)  # in stock, never rated
    assert not location_is_stale(tenant_a.location)


def test_a_stock_movement_counts_as_an_update(stale, gray):
    receive(stale, gray, 6, lot="NEW1")
    (row,) = _rows()
    assert row["supply_level"] == SupplyLevel.OVER_48_HOURS
    assert row["quantity_last_updated"] == timezone.localdate().isoformat()


def test_confirming_on_the_page_ends_the_stale_period(stale, tenant_a, gray):
    assert location_is_stale(stale)
    vaccines_gov_settings_save(location=stale, actor=tenant_a.manager, fields={},
                               products={gray.pk: {"in_stock": True, "supply_level": SupplyLevel.UNDER_24_HOURS}})
    assert not location_is_stale(stale)


def test_the_stale_days_are_a_setting(stale, settings):
    settings.CVMS_VACCINES_GOV_STALE_DAYS = 31
    assert not location_is_stale(stale) and _rows()[0]["supply_level"] == SupplyLevel.OVER_48_HOURS


def test_managers_are_warned_once_per_stale_period(stale, tenant_a, gray, monkeypatch):
    assert stale_warnings_send(as_of=timezone.localdate()) == 1
    assert stale_warnings_send(as_of=timezone.localdate()) == 0  # the same period: no second email
    assert list(OutboxMessage.objects.filter(task=TASK).values_list("args", flat=True)) == [[stale.pk]]
    entry = AuditLog.objects.get(action="vaccines_gov.stale.warned")
    assert entry.actor_label == "vaccines_gov" and entry.object_id == str(stale.vaccines_gov.pk)
    # Confirmed today, then 30 days pass without an update: a new period, a new warning.
    vaccines_gov_settings_save(location=stale, actor=tenant_a.manager, fields={},
                               products={gray.pk: {"in_stock": True, "supply_level": SupplyLevel.UNDER_24_HOURS}})
    later = timezone.now() + datetime.timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert stale_warnings_send(as_of=timezone.localdate(later)) == 1


def test_the_warning_email_goes_to_the_locations_managers_only(stale, tenant_a):
    assert stale_warning_email_send(location_id=stale.pk) == 1
    (message,) = mail.outbox
    assert message.to == [tenant_a.manager.email]
    assert message.subject == f'Vaccines.gov shows "Call to confirm" for {stale.name}'
    assert f"/provider/locations/{stale.pk}/vaccines-gov/" in message.body and "more than 29 days" in message.body


def test_unlisted_locations_are_neither_stale_nor_warned(stale, tenant_a):
    vaccines_gov_settings_save(location=stale, actor=tenant_a.manager, fields={"public_display": False})
    assert not location_is_stale(stale) and stale_locations(as_of=timezone.localdate()) == []
    assert _rows() == []


def test_finding_stale_locations_takes_the_same_queries_for_many(stale, tenant_b, gray):
    receive(tenant_b.location, gray, 5)
    vaccines_gov_settings_save(location=tenant_b.location, actor=tenant_b.manager, fields=dict(LISTED))
    with CaptureQueriesContext(connection) as queries:
        found = stale_locations(as_of=timezone.localdate())
    assert [location for location, _latest in found] == [stale] and len(queries) <= 5
