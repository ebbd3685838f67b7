"""Removing an employee from the Organization Portal: the coordinator asks with a reason, sees
"removal requested" in the list and their organization's requests with their status; a second
request is refused clearly; another employer's coordinator gets 404."""

import pytest
from django.urls import reverse

from cvms.core.models import AuditLog
from cvms.recipients.models import RecipientRequest
from cvms.recipients.requests import recipient_request_resolve


def _url(name, tenant, *args):
    return reverse(f"organization_portal:{name}", args=[tenant.employer.pk, *args])


@pytest.fixture
def coordinator(client, tenant_a):
    client.force_login(tenant_a.employer_coordinator)
    return tenant_a.employer_coordinator


def test_the_employee_list_offers_a_removal_request_for_each_employee(client, tenant_a, coordinator):
    page = client.get(_url("employees", tenant_a)).content.decode()
    assert _url("removal_request", tenant_a, tenant_a.recipient.pk) in page
    assert _url("removal_requests", tenant_a) in page


def test_the_request_form_names_the_employee_and_never_the_date_of_birth(client, tenant_a, coordinator):
    response = client.get(_url("removal_request", tenant_a, tenant_a.recipient.pk))
    body = response.content.decode()
    assert response.status_code == 200 and tenant_a.recipient.last_name in body
    assert tenant_a.recipient.date_of_birth.strftime("%m/%d/%Y") not in body
    assert tenant_a.recipient.date_of_birth.isoformat() not in body


def test_a_coordinator_requests_a_removal_and_sees_it_requested(client, tenant_a, coordinator):
    response = client.post(_url("removal_request", tenant_a, tenant_a.recipient.pk), {"reason": "Left in May"})
    assert response.status_code == 302 and response["Location"] == _url("removal_requests", tenant_a)
    request = RecipientRequest.objects.get(kind="removal")
    assert (request.organization, request.requested_by, request.details) == (tenant_a.employer, coordinator,
                                                                            "Left in May")
    assert AuditLog.objects.filter(action="recipients.request.opened", actor=coordinator).exists()
    listing = client.get(_url("employees", tenant_a)).content.decode()
    assert "Removal requested" in listing
    assert _url("removal_request", tenant_a, tenant_a.recipient.pk) not in listing
    requests = client.get(_url("removal_requests", tenant_a)).content.decode()
    assert "Left in May" in requests and "Waiting for staff" in requests


def test_a_removal_without_a_reason_is_refused_naming_the_field(client, tenant_a, coordinator):
    response = client.post(_url("removal_request", tenant_a, tenant_a.recipient.pk), {"reason": "  "})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert not RecipientRequest.objects.exists()


def test_a_second_request_for_the_same_employee_is_refused_clearly(client, tenant_a, coordinator):
    url = _url("removal_request", tenant_a, tenant_a.recipient.pk)
    client.post(url, {"reason": "Left in May"})
    response = client.post(url, {"reason": "Left in May, really"})
    assert response.status_code == 400
    assert "was requested already" in response.content.decode()
    assert RecipientRequest.objects.count() == 1


def test_the_coordinator_sees_how_staff_resolved_each_request(client, tenant_a, coordinator, agent):
    client.post(_url("removal_request", tenant_a, tenant_a.recipient.pk), {"reason": "Left in May"})
    recipient_request_resolve(request=RecipientRequest.objects.get(), actor=agent, status="done")
    page = client.get(_url("removal_requests", tenant_a)).content.decode()
    assert "Removed" in page and tenant_a.recipient.last_name in page


def test_anonymous_is_sent_to_sign_in(client, tenant_a):
    for url in (_url("removal_request", tenant_a, tenant_a.recipient.pk), _url("removal_requests", tenant_a)):
        assert client.get(url).status_code == 302


def test_wrong_method_is_405(client, tenant_a, coordinator):
    assert client.put(_url("removal_request", tenant_a, tenant_a.recipient.pk)).status_code == 405
    assert client.post(_url("removal_requests", tenant_a)).status_code == 405


def test_another_employers_coordinator_gets_404(client, tenant_a, tenant_b):
    client.force_login(tenant_b.employer_coordinator)
    assert client.get(_url("removal_request", tenant_a, tenant_a.recipient.pk)).status_code == 404
    assert client.post(_url("removal_request", tenant_a, tenant_a.recipient.pk),
                       {"reason": "Not ours"}).status_code == 404
    assert client.get(_url("removal_requests", tenant_a)).status_code == 404
    # Their own employer's address with our employee: not one of theirs either.
    url = reverse("organization_portal:removal_request", args=[tenant_b.employer.pk, tenant_a.recipient.pk])
    assert client.post(url, {"reason": "Not ours"}).status_code == 404
    assert not RecipientRequest.objects.exists()


def test_providers_get_403(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(_url("removal_requests", tenant_a)).status_code == 403


def test_the_employee_does_not_see_their_employers_removal_request_among_their_own(client, tenant_a, coordinator):
    client.post(_url("removal_request", tenant_a, tenant_a.recipient.pk), {"reason": "Left in May"})
    client.force_login(tenant_a.recipient_user)
    page = client.get(reverse("recipient_portal:requests"))
    assert page.status_code == 200 and "Left in May" not in page.content.decode()
