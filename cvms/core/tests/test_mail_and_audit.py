import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from cvms.core.audit import audit_log, diff_fields
from cvms.core.mail import MailboxBackend, mailbox_message
from cvms.core.models import AuditLog


@pytest.fixture
def mailbox(tmp_path, settings):
    settings.CVMS_MAILBOX_DIR = tmp_path
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "cvms.core.mail.MailboxBackend"
    return tmp_path


def test_development_mailbox_keeps_each_email_readable(client, db, mailbox):
    message = mail.EmailMultiAlternatives("Welcome", "Set your password: http://x/reset/abc", to=["pat@example.com"])
    message.attach_alternative("<p><a href='http://x/reset/abc'>Set your password</a></p>", "text/html")
    MailboxBackend().send_messages([message])
    listing = client.get(reverse("dev_mailbox"))
    assert listing.status_code == 200 and b"Welcome" in listing.content
    name = next(mailbox.iterdir()).name
    detail = client.get(reverse("dev_mailbox_message", args=[name]))
    assert b"http://x/reset/abc" in detail.content
    assert mailbox_message("../../etc/passwd") is None


def test_development_mailbox_is_hidden_in_production_mode(client, db):
    with override_settings(DEBUG=False):
        assert client.get(reverse("dev_mailbox")).status_code == 404


def test_audit_log_records_actor_object_and_changes(db, provider_a, tenant_a):
    entry = audit_log(actor=provider_a, action="test.changed", obj=tenant_a.location,
                      changes=diff_fields(tenant_a.location, {"name": "New name", "county": "Wake"}))
    assert entry.actor_label == provider_a.email
    assert entry.content_type == ContentType.objects.get_for_model(tenant_a.location)
    assert entry.changes == {"name": [tenant_a.location.name, "New name"]}


def test_audit_log_names_an_integration_when_no_person_acted(db):
    assert audit_log(action="test.sync", integration="cdc-cvrs").actor_label == "cdc-cvrs"


def test_help_desk_agent_reads_the_audit_log_in_admin_but_cannot_change_it(client, agent, tenant_a):
    client.force_login(agent)
    response = client.get(reverse("admin:core_auditlog_changelist"))
    assert response.status_code == 200
    assert b"accounts.membership.granted" in response.content
    entry = AuditLog.objects.first()
    assert client.post(reverse("admin:core_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403


def test_admin_edits_are_audited(client, state_reviewer, tenant_a):
    client.force_login(state_reviewer)
    url = reverse("admin:registry_location_change", args=[tenant_a.location.pk])
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"name": "Renamed clinic", "organization": tenant_a.organization.pk,
                 "storage_units-TOTAL_FORMS": 0, "storage_units-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get(action="admin.registry.location.changed")
    assert entry.actor == state_reviewer and entry.changes["name"] == "Renamed clinic"
