"""Get Help, the public recipient form, the confirmation screen and My Lists: a requester files a
case, sees its number, follows it and replies when asked; nobody sees another requester's case."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cvms.core.models import OutboxMessage
from helpdesk.models import GENERIC_PROVIDER, Case, CaseStatus
from helpdesk.services import case_info_request, case_note
from helpdesk.tests.conftest import pdf


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _get_help(client, **changes):
    data = {"provider_organization": "Health System A", "request_type": "inventory",
            "description": "Our count is off."}
    data.update(changes)
    return client.post(reverse("helpdesk:provider_new"), data)


def test_a_provider_files_a_case_and_sees_its_number(client, tenant_a):
    client.force_login(tenant_a.manager)
    page = client.get(reverse("helpdesk:provider_new")).content.decode()
    assert GENERIC_PROVIDER in page
    response = _get_help(client, attachments=[pdf()])
    assert response.status_code == 302 and response.url == reverse("helpdesk:case_submitted")
    case = Case.objects.get(requester=tenant_a.manager)
    assert case.attachments.get().name == "letter.pdf"
    assert case.number in client.get(response.url).content.decode()
    assert OutboxMessage.objects.filter(task="helpdesk.tasks.send_case_confirmation", args=[case.pk]).exists()
    assert "Health System A" in client.get(reverse("helpdesk:provider_new")).content.decode()


def test_get_help_asks_anonymous_people_to_sign_in(client, db):
    response = client.get(reverse("helpdesk:provider_new"))
    assert response.status_code == 302 and "login" in response.url


def test_get_help_refuses_a_wrong_method(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.put(reverse("helpdesk:provider_new")).status_code == 405


@pytest.mark.parametrize("changes,field_label", [
    ({"description": "a\x00b"}, "Description of request"),
    ({"description": "x" * 5000}, "Description of request"),
    ({"request_type": "pizza"}, "Request type"),
    ({"provider_organization": ""}, "Organization name"),
])
def test_bad_get_help_input_is_shown_beside_the_field(client, tenant_a, changes, field_label):
    client.force_login(tenant_a.manager)
    response = _get_help(client, **changes)
    assert response.status_code == 400 and f"{field_label}:" in response.content.decode()
    assert not Case.objects.exists()


def test_an_oversized_or_wrong_attachment_is_refused_with_a_clear_message(client, tenant_a, settings):
    settings.CVMS_CASE_ATTACHMENT_MAX_BYTES = 10
    client.force_login(tenant_a.manager)
    body = _get_help(client, attachments=[pdf()]).content.decode()
    assert "letter.pdf is" in body and "the limit is 10" in body
    settings.CVMS_CASE_ATTACHMENT_MAX_BYTES = 10_000
    body = _get_help(client, attachments=[pdf("setup.pdf", b"MZ\x90\x00" + b"\0" * 64)]).content.decode()
    assert "setup.pdf is not a file type" in body and not Case.objects.exists()


def test_a_file_over_the_upload_cap_is_refused_without_being_kept(client, tenant_a, settings):
    settings.CVMS_UPLOAD_MAX_BYTES = 100
    client.force_login(tenant_a.manager)
    body = _get_help(client, attachments=[pdf("big.pdf", b"%PDF-" + b"x" * 500)]).content.decode()
    assert "big.pdf is" in body and not Case.objects.exists()


def test_anyone_may_file_a_recipient_case_in_spanish(client, db):
    data = {"requester_name": "Rosa Díaz", "requester_email": "rosa@example.com", "request_type": "vaccine_record",
            "description": "Falta mi segunda dosis.", "website": ""}
    response = client.post(reverse("helpdesk:recipient_new"), data, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.language, case.requester) == ("recipient", "es", None)
    assert case.number in client.get(response.url).content.decode()


def test_the_recipient_form_refuses_robots_that_fill_the_hidden_field(client, db):
    data = {"requester_name": "Bot", "requester_email": "bot@example.com", "request_type": "other",
            "description": "Buy now", "website": "http://spam.example"}
    response = client.post(reverse("helpdesk:recipient_new"), data)
    assert response.status_code == 400 and not Case.objects.exists()


def test_the_recipient_form_limits_cases_per_client_address(client, db, settings):
    settings.CVMS_RECIPIENT_CASES_PER_ADDRESS = 2
    data = {"requester_name": "Rosa Diaz", "requester_email": "rosa@example.com", "request_type": "other",
            "description": "Hello", "website": ""}
    statuses = [client.post(reverse("helpdesk:recipient_new"), data).status_code for _ in range(3)]
    assert statuses == [302, 302, 429] and Case.objects.count() == 2


def test_the_recipient_form_names_a_look_alike_name(client, db):
    data = {"requester_name": "Rоsa", "requester_email": "rosa@example.com", "request_type": "other",
            "description": "Hello", "website": ""}
    response = client.post(reverse("helpdesk:recipient_new"), data)
    assert response.status_code == 400 and "Your name:" in response.content.decode()


def test_the_confirmation_screen_without_a_case_goes_home(client, db):
    assert client.get(reverse("helpdesk:case_submitted")).url == reverse("helpdesk:home")


def test_my_lists_shows_my_cases_with_their_status_and_not_others(client, provider_case, tenant_a, tenant_b):
    client.force_login(tenant_a.manager)
    body = client.get(reverse("helpdesk:case_list")).content.decode()
    assert provider_case.number in body and "New" in body
    client.force_login(tenant_b.manager)
    assert provider_case.number not in client.get(reverse("helpdesk:case_list")).content.decode()


def test_my_lists_needs_a_sign_in(client, db):
    assert client.get(reverse("helpdesk:case_list")).status_code == 302


def test_a_case_shows_replies_but_never_internal_notes(client, provider_case, tenant_a, agent):
    case_note(case=provider_case, actor=agent, body="Secret: the caller seems confused.")
    case_info_request(case=provider_case, actor=agent, body="Which storage unit?")
    client.force_login(tenant_a.manager)
    body = client.get(reverse("helpdesk:case_detail", args=[provider_case.number])).content.decode()
    assert "Which storage unit?" in body and "Secret" not in body and "Send reply" in body


def test_the_requester_replies_when_asked_and_the_case_is_back_in_progress(client, provider_case, tenant_a, agent):
    case_info_request(case=provider_case, actor=agent, body="Which storage unit?")
    client.force_login(tenant_a.manager)
    url = reverse("helpdesk:case_reply", args=[provider_case.number])
    response = client.post(url, {"body": "The freezer.", "attachments": [pdf("temps.pdf")]})
    assert response.status_code == 302
    provider_case.refresh_from_db()
    assert provider_case.status == CaseStatus.IN_PROGRESS
    attachment = provider_case.attachments.get()
    download = client.get(reverse("helpdesk:case_attachment", args=[provider_case.number, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert 'filename="temps.pdf"' in download["Content-Disposition"]


def test_a_reply_when_not_asked_is_refused_clearly(client, provider_case, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(reverse("helpdesk:case_reply", args=[provider_case.number]), {"body": "Any news?"})
    assert response.status_code == 400 and "cannot be changed" in response.content.decode()


def test_a_reply_is_post_only(client, provider_case, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(reverse("helpdesk:case_reply", args=[provider_case.number])).status_code == 405


def test_another_requester_gets_404_for_my_case_and_its_files(client, provider_case, tenant_a, tenant_b, agent):
    case_info_request(case=provider_case, actor=agent, body="?")
    client.force_login(tenant_a.manager)
    client.post(reverse("helpdesk:case_reply", args=[provider_case.number]), {"body": "x", "attachments": [pdf()]})
    attachment = provider_case.attachments.get()
    for who in (tenant_b.manager, tenant_a.coordinator, agent):
        client.force_login(who)
        assert client.get(reverse("helpdesk:case_detail", args=[provider_case.number])).status_code == 404
        assert client.get(reverse("helpdesk:case_attachment",
                                  args=[provider_case.number, attachment.pk])).status_code == 404
        assert client.post(reverse("helpdesk:case_reply", args=[provider_case.number]),
                           {"body": "hi"}).status_code == 404


def _urls(case):
    attachment = case.attachments.first()
    return {
        "list": reverse("helpdesk:case_list"),
        "detail": reverse("helpdesk:case_detail", args=[case.number]),
        "reply": reverse("helpdesk:case_reply", args=[case.number]),
        "file": reverse("helpdesk:case_attachment", args=[case.number, attachment.pk]),
    }


def test_anonymous_visitors_are_sent_to_sign_in_for_every_case_page(client, tenant_a):
    from helpdesk.services import case_open

    case = case_open(actor=tenant_a.manager, channel="provider", request_type="other", description="Help",
                     provider_organization="Health System A", attachments=[pdf()])
    for name, url in _urls(case).items():
        response = client.post(url) if name == "reply" else client.get(url)
        assert response.status_code == 302 and "login" in response.url, name


@pytest.mark.parametrize("name,method", [("helpdesk:recipient_new", "put"), ("helpdesk:case_submitted", "post"),
                                         ("helpdesk:case_list", "post")])
def test_wrong_methods_are_refused(client, tenant_a, name, method):
    client.force_login(tenant_a.manager)
    assert getattr(client, method)(reverse(name)).status_code == 405


def test_a_case_page_and_its_files_are_read_only(client, provider_case, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.post(reverse("helpdesk:case_detail", args=[provider_case.number])).status_code == 405


def test_a_huge_request_is_answered_400_not_500(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    data = {"requester_name": "Rosa Diaz", "requester_email": "rosa@example.com", "request_type": "other",
            "description": "x" * 50_000, "website": ""}
    assert client.post(reverse("helpdesk:recipient_new"), data).status_code == 400
    assert not Case.objects.exists()
