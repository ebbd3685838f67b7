"""State staff see each CVRS extract in admin and download its files through a view that checks
their permission; people without it are refused."""

import datetime

import pytest
from django.urls import reverse

from cvms.core.models import AuditLog
from cvms.recipients.models import Recipient
from cvms.reporting.cvrs_extract import cvrs_extract_create
from cvms.reporting.tests.cvrs_fixtures import give_fixture, lot_fixture, media_fixture  # noqa: F401 (fixtures)


@pytest.fixture
def extract(give, media):
    give()
    return cvrs_extract_create(report_date=datetime.date(2026, 11, 30))


def _download(extract, index=0):
    return reverse("admin:reporting_cvrsextract_download", args=[extract.pk, index])


def test_state_staff_see_the_extract_with_a_download_link(client, state_reviewer, extract):
    client.force_login(state_reviewer)
    page = client.get(reverse("admin:reporting_cvrsextract_change", args=[extract.pk]))
    assert page.status_code == 200
    assert _download(extract).encode() in page.content and b"20261130_01_NCA.txt" in page.content
    assert b"/media/" not in page.content
    assert client.get(reverse("admin:reporting_cvrsextract_changelist")).status_code == 200


def test_state_staff_download_a_file_and_the_download_is_logged(client, state_reviewer, extract):
    client.force_login(state_reviewer)
    response = client.get(_download(extract))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="20261130_01_NCA.txt"'
    assert b"".join(response.streaming_content).startswith(b"vax_event_id\text_type\t")
    assert AuditLog.objects.filter(action="reporting.cvrs_extract.downloaded", actor=state_reviewer,
                                   object_id=str(extract.pk)).exists()


def test_admin_cannot_add_change_or_delete_an_extract(client, state_reviewer, extract):
    client.force_login(state_reviewer)
    assert client.get(reverse("admin:reporting_cvrsextract_add")).status_code == 403
    assert client.post(reverse("admin:reporting_cvrsextract_delete", args=[extract.pk])).status_code == 403


def test_help_desk_agents_without_the_permission_are_refused(client, agent, extract):
    client.force_login(agent)
    assert client.get(_download(extract)).status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "provider"])
def test_people_outside_admin_are_sent_to_the_admin_sign_in(client, tenant_a, extract, who):
    if who == "provider":
        client.force_login(tenant_a.manager)
    response = client.get(_download(extract))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_an_unknown_file_or_extract_is_not_found(client, state_reviewer, extract):
    client.force_login(state_reviewer)
    assert client.get(_download(extract, 5)).status_code == 404
    assert client.get(reverse("admin:reporting_cvrsextract_download", args=[10**9, 0])).status_code == 404


def test_the_extract_page_lists_each_invalid_record_with_its_field(client, state_reviewer, give, media):
    bad = give()
    Recipient.objects.filter(pk=bad.recipient_id).update(zip_code="2760")
    extract = cvrs_extract_create(report_date=datetime.date(2026, 12, 1))
    client.force_login(state_reviewer)
    page = client.get(reverse("admin:reporting_cvrsextract_change", args=[extract.pk])).content.decode()
    assert f"<li>{bad.pk}: recip_address_zip is not a valid value: “2760”</li>" in page
