"""The admin lists that grow to millions of rows (recipients, the audit log, uploads) never count or
scan a whole table: capped counts, search through the trigram indexes, filters an index serves, a
fixed number of queries however many rows a page shows. ``bench/bench_admin.py`` times them at a
million rows; these tests hold the shape of their queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cvms.core.admin import LargeTablePaginator
from cvms.core.audit import audit_log
from cvms.recipients.tests.factories import RecipientFactory

LISTS = ["recipients_recipient", "core_auditlog", "uploads_recipientupload"]


def _queries(client, name, **params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(f"admin:{name}_changelist"), params)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _more_rows(tenant, count):
    for _ in range(count):
        recipient = RecipientFactory(source_location=tenant.location)
        audit_log(actor=tenant.manager, action="registry.recipient.created", obj=recipient)


@pytest.mark.parametrize("name", LISTS)
def test_a_large_list_never_counts_its_whole_table(client, agent, tenant_a, name):
    client.force_login(agent)
    for params in ({}, {"q": "rita"}):
        counts = [sql for sql in _queries(client, name, **params) if "COUNT(" in sql.upper()]
        assert counts and all("LIMIT 10001" in sql for sql in counts), counts


@pytest.mark.parametrize("name", LISTS)
def test_a_large_list_takes_the_same_queries_for_a_page_of_many_rows(client, agent, tenant_a, name):
    client.force_login(agent)
    _queries(client, name)  # the first page fills the caches every page reads (the downtime banner's)
    few = len(_queries(client, name))
    _more_rows(tenant_a, 12)
    assert len(_queries(client, name)) == few


@pytest.mark.parametrize(("name", "table", "columns"), [
    ("recipients_recipient", "registry_recipient", ["first_name", "last_name", "email", "portal_username"]),
    ("core_auditlog", "core_auditlog", ["actor_label", "action", "object_repr", "object_id"]),
])
def test_search_goes_through_the_trigram_index_not_a_scan_of_each_column(client, agent, tenant_a, name, table,
                                                                         columns):
    client.force_login(agent)
    sql = " ".join(_queries(client, name, q="rita"))
    # Django's own search would compare each column on its own: UPPER("t"."c"::text) LIKE UPPER(...)
    assert not [c for c in columns if re.search(rf'UPPER\("{table}"\."{c}"::text\) LIKE', sql)]
    assert re.search(r"UPPER\(\(COALESCE\(", sql)  # the one indexed expression


def test_the_audit_action_filter_reads_the_index_not_every_row(client, agent, tenant_a):
    client.force_login(agent)
    sql = _queries(client, "core_auditlog")
    # No DISTINCT over the audit log (the navigation's role look-up is a small one on memberships).
    assert not [q for q in sql if "DISTINCT" in q.upper() and "core_auditlog" in q]
    assert any("WITH RECURSIVE" in q for q in sql)


def test_a_capped_count_past_the_cap_is_the_planner_estimate(tenant_a, monkeypatch):
    from cvms.recipients.models import Recipient

    _more_rows(tenant_a, 5)
    monkeypatch.setattr(LargeTablePaginator, "CAP", 3)
    count = LargeTablePaginator(Recipient.objects.filter(source_location=tenant_a.location), 100).count
    assert count >= 4


def test_an_email_in_the_audit_search_finds_what_that_person_did_through_its_index(client, agent, tenant_a):
    client.force_login(agent)
    sql = " ".join(_queries(client, "core_auditlog", q=tenant_a.manager.email.upper()))
    assert f"\"core_auditlog\".\"actor_label\" = '{tenant_a.manager.email}'" in sql


@pytest.mark.parametrize(("term", "column"), [
    ("nca900001", '"registry_location"."provider_pin" = \'NCA900001\''),
    ("Manager.A@example.com", '"uploaded_by_label" = \'manager.a@example.com\''),
    ("staff-A", '"original_name"::text) LIKE UPPER(\'%staff-A%\')'),
])
def test_the_upload_search_compares_one_column_per_kind_of_term(client, agent, tenant_a, term, column):
    client.force_login(agent)
    assert column in " ".join(_queries(client, "uploads_recipientupload", q=term))
