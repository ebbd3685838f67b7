"""API tokens: issued once through HTTP Basic (the lockout counts it), sent on later calls, ended by
the client, by expiry or by a new password; every issue and end is audited."""

import base64
import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from cvms.core.models import AuditLog


def _basic(user, password) -> dict:
    pair = base64.b64encode(f"{user.email}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {pair}"}


def _token(secret) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {secret}"}


def _issue(user, password) -> str:
    response = Client().post(reverse("api:tokens"), **_basic(user, password))
    assert response.status_code == 201, response.content
    return response.json()["token"]


def test_a_token_issued_through_basic_reaches_the_api_and_is_audited(tenant_a, password):
    secret = _issue(tenant_a.vaccinator, password)
    assert Client().get(reverse("api:me"), **_token(secret)).json()["email"] == tenant_a.vaccinator.email
    issued = AuditLog.objects.get(action="accounts.api_token.issued")
    assert issued.actor == tenant_a.vaccinator and issued.changes["token"] == secret[:15]


def test_a_wrong_password_gets_no_token(tenant_a):
    response = Client().post(reverse("api:tokens"), **_basic(tenant_a.vaccinator, "not-the-password"))
    assert response.status_code == 401 and not AuthToken.objects.exists()


def test_a_token_cannot_issue_another(tenant_a, password):
    secret = _issue(tenant_a.vaccinator, password)
    assert Client().post(reverse("api:tokens"), **_token(secret)).status_code == 401
    assert AuthToken.objects.count() == 1


def test_an_expired_or_unknown_token_is_refused(tenant_a, password):
    secret = _issue(tenant_a.vaccinator, password)
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().get(reverse("api:me"), **_token(secret)).status_code == 401
    assert not AuthToken.objects.exists()
    assert Client().get(reverse("api:me"), **_token("0" * 64)).status_code == 401


def test_a_client_ends_its_own_token(tenant_a, password):
    secret = _issue(tenant_a.vaccinator, password)
    assert Client().delete(reverse("api:token-current"), **_token(secret)).status_code == 204
    assert Client().get(reverse("api:me"), **_token(secret)).status_code == 401
    assert AuditLog.objects.filter(action="accounts.api_token.revoked", actor=tenant_a.vaccinator).exists()


def test_a_new_password_or_a_deactivated_account_ends_the_tokens(tenant_a, tenant_b, password):
    secret = _issue(tenant_a.vaccinator, password)
    tenant_a.vaccinator.set_password("a-whole-new-password-2021")
    tenant_a.vaccinator.save()
    assert Client().get(reverse("api:me"), **_token(secret)).status_code == 401
    other = _issue(tenant_b.vaccinator, password)
    type(tenant_b.vaccinator).objects.filter(pk=tenant_b.vaccinator.pk).update(is_active=False)
    assert Client().get(reverse("api:me"), **_token(other)).status_code == 401
