"""API tokens: what a clinic system sends on every call instead of a password, so a busy client is
not slowed by a password hash per call. django-rest-knox keeps only a hash of each token, and each
expires ``API_TOKEN_HOURS`` after it is issued. A new password ends every token of the account."""

from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from cvms.core.audit import audit_log


def api_token_issue(*, user) -> tuple[AuthToken, str]:
    """A new token for ``user`` and its secret, shown once. Their expired tokens are swept."""
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        token, secret = AuthToken.objects.create(user=user)
        audit_log(actor=user, action="accounts.api_token.issued", obj=user,
                  changes={"token": token.token_key, "expiry": token.expiry.isoformat()})
    return token, secret


def api_token_revoke(*, token: AuthToken, actor) -> None:
    with transaction.atomic():
        AuthToken.objects.filter(digest=token.digest).delete()
        audit_log(actor=actor, action="accounts.api_token.revoked", obj=token.user, changes={"token": token.token_key})


def api_tokens_revoke_all(*, user, integration: str) -> int:
    """End every token of ``user`` (their password changed); audited when there were any."""
    with transaction.atomic():
        count, _ = AuthToken.objects.filter(user=user).delete()
        if count:
            audit_log(integration=integration, action="accounts.api_token.revoked", obj=user,
                      changes={"tokens": count})
    return count
