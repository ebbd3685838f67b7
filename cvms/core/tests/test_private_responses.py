"""Responses that may hold personal data are never stored by a browser or a shared cache: every
response to a signed-in person or to a request carrying credentials says ``no-store, private``."""

import base64

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from cvms.core.middleware import PrivateResponsesMiddleware


def _private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.fixture
def rf_signed_in(provider_a):
    """A request to ``path`` from a signed-in provider, for the middleware alone."""
    def make(path):
        request = RequestFactory().get(path)
        request.user = provider_a
        return request

    return make


def _basic(email, password):
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


def test_a_portal_upload_its_recipient_list_progress_and_failed_records_are_never_stored(client, tenant_a):
    client.force_login(tenant_a.manager)
    args = [tenant_a.location.pk, tenant_a.upload.pk]
    for url in (reverse("provider_portal:bulk", args=args[:1]), reverse("provider_portal:bulk_upload", args=args),
                reverse("provider_portal:bulk_progress", args=args),
                reverse("provider_portal:bulk_failed_csv", args=args),
                reverse("provider_portal:bulk_failed_xlsx", args=args)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _private(response), (url, response.get("Cache-Control"))


def test_api_answers_to_a_request_with_credentials_are_never_stored(client, tenant_a, password):
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=_basic(tenant_a.manager.email, password))
    assert response.status_code == 200 and _private(response)
    refused = client.get(reverse("api:me"), HTTP_AUTHORIZATION=_basic(tenant_a.manager.email, "wrong"))
    assert refused.status_code == 401 and _private(refused)


def test_an_api_answer_in_a_signed_in_session_is_never_stored(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.get(reverse("api:me"))
    assert response.status_code == 200 and _private(response)


def test_a_view_that_asks_to_be_cached_publicly_is_kept_private_for_a_signed_in_person(rf_signed_in):
    def public_view(request):
        response = HttpResponse("Rita Recipient")
        response["Cache-Control"] = "public, max-age=600"
        return response

    response = PrivateResponsesMiddleware(public_view)(rf_signed_in("/provider/"))
    assert _private(response) and "public" not in response["Cache-Control"]


def test_static_files_are_left_alone(rf_signed_in):
    def static_file(request):
        response = HttpResponse("body{}")
        response["Cache-Control"] = "max-age=315360000, public, immutable"
        return response

    response = PrivateResponsesMiddleware(static_file)(rf_signed_in(settings.STATIC_URL + "css/site.css"))
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"


def test_an_anonymous_public_page_is_left_to_its_own_caching(client, db):
    assert not _private(client.get(reverse("home")))
