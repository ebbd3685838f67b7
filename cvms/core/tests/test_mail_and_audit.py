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


@pytest.fixture
def staff(db):
    from cvms.accounts.tests.factories import UserFactory

    return UserFactory(email="developer@example.com", is_staff=True)


def test_development_mailbox_keeps_each_email_readable(client, mailbox, staff):
    message = mail.EmailMultiAlternatives("Welcome", "Set your password: http://x/reset/abc", to=["pat@example.com"])
    message.attach_alternative("<p><a href='http://x/reset/abc'>Set your password</a></p>", "text/html")
    MailboxBackend().send_messages([message])
    client.force_login(staff)
    listing = client.get(reverse("dev_mailbox"))
    assert listing.status_code == 200 and b"Welcome" in listing.content
    name = next(mailbox.iterdir()).name
    detail = client.get(reverse("dev_mailbox_message", args=[name]))
    assert b"http://x/reset/abc" in detail.content
    assert mailbox_message("../../etc/passwd") is None


def test_development_mailbox_is_hidden_in_production_mode(client, mailbox, staff):
    client.force_login(staff)
    with override_settings(DEBUG=False):
        assert client.get(reverse("dev_mailbox")).status_code == 404


def _one_message(mailbox):
    MailboxBackend().send_messages([mail.EmailMessage("Reset", "http://x/reset/secret", to=["pat@example.com"])])
    return next(mailbox.iterdir()).name


def test_development_mailbox_asks_anonymous_visitors_to_sign_in(client, mailbox):
    name = _one_message(mailbox)
    for url in (reverse("dev_mailbox"), reverse("dev_mailbox_message", args=[name])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_development_mailbox_is_refused_to_people_who_are_not_staff(client, mailbox, outsider):
    name = _one_message(mailbox)
    client.force_login(outsider)
    assert client.get(reverse("dev_mailbox")).status_code == 403
    assert client.get(reverse("dev_mailbox_message", args=[name])).status_code == 403


@pytest.mark.parametrize("address", ["192.168.1.20", "10.0.0.5", "2001:db8::1", ""])
def test_development_mailbox_is_not_shown_off_the_machine(client, mailbox, staff, address):
    name = _one_message(mailbox)
    client.force_login(staff)
    assert client.get(reverse("dev_mailbox"), REMOTE_ADDR=address).status_code == 404
    assert client.get(reverse("dev_mailbox_message", args=[name]), REMOTE_ADDR=address).status_code == 404
    # A forwarded-for header naming loopback does not help.
    assert client.get(reverse("dev_mailbox"), REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404


def test_development_mailbox_pages_through_every_message(client, mailbox, staff):
    MailboxBackend().send_messages([mail.EmailMessage(f"Message {n:03}", "body", to=["pat@example.com"])
                                    for n in range(120)])
    client.force_login(staff)
    first = client.get(reverse("dev_mailbox"))
    assert b"120 messages" in first.content and first.content.count(b"Message ") == 50
    last = client.get(reverse("dev_mailbox"), {"page": 3})
    assert last.content.count(b"Message ") == 20 and b"Page 3 of 3" in last.content
    pages = [client.get(reverse("dev_mailbox"), {"page": page}).content for page in (1, 2, 3)]
    seen = {n for content in pages for n in range(120) if f"Message {n:03}".encode() in content}
    assert seen == set(range(120))


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


def test_admin_edits_go_through_the_service_and_are_audited(client, state_reviewer, tenant_a):
    client.force_login(state_reviewer)
    url = reverse("admin:organizations_location_change", args=[tenant_a.location.pk])
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"name": "Renamed clinic", "storage_units-TOTAL_FORMS": 0, "storage_units-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get(action="registry.location.updated")
    assert entry.actor == state_reviewer and entry.changes == {"name": ["Clinic A1", "Renamed clinic"]}


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_emails_html_says_its_language(language):
    from cvms.core.mail import render_email

    subject, text, html = render_email("vaccines_gov/email/stale", {"location": {"name": "Clinic"}, "days": 29},
                                       language=language)
    assert f'<html lang="{language}">' in html
