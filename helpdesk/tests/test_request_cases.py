"""Each request about a recipient record has a help desk case: a recipient's correction and an
employer's removal reach the queues with a number and show in the requester's My Lists; answering
the request in admin resolves its case, with a note for the agents and no second email."""

from django.urls import reverse

from cvms.core.models import OutboxMessage
from cvms.recipients.requests import (
    employee_removal_request_open,
    recipient_request_open,
    recipient_request_resolve,
)
from helpdesk.models import Case, CaseStatus, Channel, MessageKind, RequestType


def _correction(tenant):
    return recipient_request_open(recipient=tenant.recipient, actor=tenant.recipient_user, subject="dose",
                                  details="My dose shows the wrong arm.", wanted="Right arm")


def test_a_recipients_correction_opens_a_numbered_case_they_follow_in_my_lists(client, tenant_a):
    request = _correction(tenant_a)
    case = Case.objects.get(recipient_request=request)
    assert case.number.startswith("CS") and case.status == CaseStatus.NEW
    assert (case.channel, case.request_type) == (Channel.RECIPIENT, RequestType.RECIPIENT_CORRECTION)
    assert case.requester == tenant_a.recipient_user and case.recipient == tenant_a.recipient
    assert "My dose shows the wrong arm." in case.description and "Right arm" in case.description
    assert OutboxMessage.objects.filter(task="helpdesk.tasks.send_case_confirmation", args=[case.pk]).exists()
    client.force_login(tenant_a.recipient_user)
    assert case.number in client.get(reverse("helpdesk:case_list")).content.decode()


def test_an_employers_removal_opens_a_case_of_the_organization(tenant_a):
    request = employee_removal_request_open(employer=tenant_a.employer, recipient=tenant_a.recipient,
                                            actor=tenant_a.employer_coordinator, reason="Left in March")
    case = request.case
    assert (case.channel, case.request_type) == (Channel.ORGANIZATION, RequestType.RECIPIENT_REMOVAL)
    assert case.requester == tenant_a.employer_coordinator and case.provider_organization == tenant_a.employer.name


def test_answering_the_request_resolves_its_case_with_a_note_and_no_second_email(tenant_a, agent):
    request = _correction(tenant_a)
    recipient_request_resolve(request=request, actor=agent, status="done", note="Corrected to the right arm.")
    case = Case.objects.get(recipient_request=request)
    assert case.status == CaseStatus.RESOLVED and case.resolved_at is not None
    (note,) = case.messages.all()
    assert note.kind == MessageKind.INTERNAL and "Corrected to the right arm." in note.body
    assert not case.messages.filter(kind=MessageKind.RESOLUTION).exists()  # the request's email told them


def test_another_requester_never_sees_the_case(client, tenant_a, tenant_b):
    case = Case.objects.get(recipient_request=_correction(tenant_a))
    client.force_login(tenant_b.recipient_user)
    assert client.get(reverse("helpdesk:case_detail", args=[case.number])).status_code == 404
    assert case.number not in client.get(reverse("helpdesk:case_list")).content.decode()


def test_a_provider_asks_to_remove_a_recipient_loaded_at_their_location_from_a_prefilled_case(client, tenant_a):
    from cvms.recipients.models import Recipient

    Recipient.objects.filter(pk=tenant_a.recipient.pk).update(source_location=tenant_a.location)
    client.force_login(tenant_a.manager)
    bulk = client.get(reverse("provider_portal:bulk", args=[tenant_a.location.pk])).content.decode()
    assert f'/helpdesk/provider/new/?about={tenant_a.recipient.pk}"' in bulk
    url = reverse("helpdesk:provider_new") + f"?about={tenant_a.recipient.pk}"
    form = client.get(url).context["form"]
    assert form["request_type"].value() == RequestType.RECIPIENT_REMOVAL
    assert tenant_a.recipient.last_name in form["description"].value() and tenant_a.location.name in \
        form["description"].value()
    response = client.post(url, {"about": tenant_a.recipient.pk, "provider_organization": "Health System A",
                                 "request_type": RequestType.RECIPIENT_REMOVAL,
                                 "description": form["description"].value() + "a duplicate of another record."})
    assert response.status_code == 302
    case = Case.objects.get(requester=tenant_a.manager)
    assert (case.recipient, case.location, case.request_type) == (tenant_a.recipient, tenant_a.location,
                                                                  RequestType.RECIPIENT_REMOVAL)


def test_a_provider_cannot_ask_about_a_recipient_loaded_elsewhere(client, tenant_a, tenant_b):
    from cvms.recipients.models import Recipient

    Recipient.objects.filter(pk=tenant_b.recipient.pk).update(source_location=tenant_b.location)
    client.force_login(tenant_a.manager)
    for about in (tenant_b.recipient.pk, "x", "٣"):
        assert client.get(reverse("helpdesk:provider_new"), {"about": about}).status_code == 404
    response = client.post(reverse("helpdesk:provider_new"), {
        "about": tenant_b.recipient.pk, "provider_organization": "A", "request_type": "other", "description": "x"})
    assert response.status_code == 404 and not Case.objects.exists()
