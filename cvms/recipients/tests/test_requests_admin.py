"""Staff act on requests in admin: the open queue first, the record corrected on the recipient's
page through ``recipient_update``, the request resolved through its service, both audited."""

import pytest
from django.urls import reverse

from cvms.core.models import AuditLog
from cvms.recipients.models import RecipientRequest
from cvms.recipients.requests import recipient_request_open


@pytest.fixture
def asked(tenant_a):
    return recipient_request_open(recipient=tenant_a.recipient, actor=tenant_a.recipient_user, subject="name",
                                  details="Last name misspelled", wanted="Recipienta")


@pytest.mark.parametrize("staff", ["agent", "state_reviewer"])
def test_staff_see_open_requests_correct_the_record_and_resolve_the_request(request, client, tenant_a, asked, staff):
    user = request.getfixturevalue(staff)
    client.force_login(user)
    queue = client.get(reverse("admin:recipients_recipientrequest_changelist"))
    change_url = reverse("admin:recipients_recipientrequest_change", args=[asked.pk])
    assert queue.status_code == 200 and change_url in queue.content.decode()
    page = client.get(reverse("admin:recipients_recipientrequest_change", args=[asked.pk])).content.decode()
    recipient_url = reverse("admin:recipients_recipient_change", args=[tenant_a.recipient.pk])
    assert recipient_url in page and "Last name misspelled" in page
    recipient = tenant_a.recipient
    form = client.get(recipient_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(last_name="Recipienta", race=recipient.race)
    assert client.post(recipient_url, data).status_code == 302
    recipient.refresh_from_db()
    assert recipient.last_name == "Recipienta"
    assert AuditLog.objects.filter(action="registry.recipient.updated", actor=user).exists()
    response = client.post(reverse("admin:recipients_recipientrequest_change", args=[asked.pk]),
                           {"status": "done", "note": "Your name is corrected."})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.resolved_by) == ("done", user)
    assert AuditLog.objects.filter(action="recipients.request.resolved", actor=user).exists()


def test_a_refused_resolution_is_shown_as_an_error_not_a_success(client, agent, asked):
    client.force_login(agent)
    url = reverse("admin:recipients_recipientrequest_change", args=[asked.pk])
    response = client.post(url, {"status": "declined", "note": ""}, follow=True)
    assert "Say why the request is declined" in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == "open"


def test_a_resolved_request_is_read_only(client, agent, asked):
    from cvms.recipients.requests import recipient_request_resolve

    recipient_request_resolve(request=asked, actor=agent, status="done")
    client.force_login(agent)
    url = reverse("admin:recipients_recipientrequest_change", args=[asked.pk])
    client.post(url, {"status": "declined", "note": "changed my mind"})
    assert RecipientRequest.objects.get(pk=asked.pk).status == "done"


def test_people_outside_staff_do_not_see_the_queue(client, tenant_a, asked):
    client.force_login(tenant_a.manager)
    assert client.get(reverse("admin:recipients_recipientrequest_changelist")).status_code in (302, 403)


def test_the_staff_groups_that_exist_already_are_given_the_requests(db):
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    staff, agents = Group.objects.create(name="State staff"), Group.objects.create(name="Help desk agents")
    config = apps.get_app_config("recipients")
    models_module = config.models_module  # the migration clears it, meant for its own historical apps
    try:
        importlib.import_module("cvms.recipients.migrations.0012_register_staff_act_on_requests").grant(apps, None)
    finally:
        config.models_module = models_module
    assert {"view_recipientrequest", "change_recipientrequest", "change_recipient"} <= set(
        staff.permissions.values_list("codename", flat=True))
    assert {"view_recipientrequest", "change_recipientrequest"} <= set(
        agents.permissions.values_list("codename", flat=True))


@pytest.fixture
def removal(tenant_a):
    from cvms.recipients.requests import employee_removal_request_open

    return employee_removal_request_open(employer=tenant_a.employer, recipient=tenant_a.recipient,
                                         actor=tenant_a.employer_coordinator, reason="No longer works here")


@pytest.mark.parametrize("staff", ["agent", "state_reviewer"])
def test_staff_resolve_a_removal_as_done_and_the_record_is_removed(request, client, tenant_a, removal, staff):
    from cvms.recipients.models import Recipient

    user = request.getfixturevalue(staff)
    client.force_login(user)
    url = reverse("admin:recipients_recipientrequest_change", args=[removal.pk])
    page = client.get(url).content.decode()
    assert tenant_a.employer.name in page and "No longer works here" in page
    assert client.post(url, {"status": "done", "note": ""}).status_code == 302
    assert not Recipient.objects.filter(pk=tenant_a.recipient.pk).exists()
    removal.refresh_from_db()
    assert (removal.status, removal.resolved_by) == ("done", user)
    assert AuditLog.objects.filter(action="registry.recipient.removed", actor=user).exists()
    assert "(removed)" in client.get(url).content.decode()  # the request still reads
    assert client.get(reverse("admin:recipients_recipientrequest_changelist")).status_code == 200


def test_a_removal_of_an_employee_with_doses_is_refused_in_admin_and_stays_open(client, tenant_a, removal, agent):
    from cvms.recipients.models import Recipient
    from cvms.recipients.tests.test_removal_requests import _dose

    _dose(tenant_a)
    client.force_login(agent)
    url = reverse("admin:recipients_recipientrequest_change", args=[removal.pk])
    response = client.post(url, {"status": "done", "note": ""}, follow=True)
    assert "cannot be removed" in response.content.decode()
    removal.refresh_from_db()
    assert removal.status == "open" and Recipient.objects.filter(pk=tenant_a.recipient.pk).exists()
