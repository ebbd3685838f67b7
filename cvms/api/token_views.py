"""API tokens: a client signs in once with HTTP Basic (the sign-in lockout counts it) and sends
``Authorization: Token <token>`` on its calls after that, until the token expires or is ended."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cvms.accounts.tokens import api_token_issue, api_token_revoke
from cvms.api.authentication import ApiSessionAuthentication, ApiTokenAuthentication, LockoutBasicAuthentication

_ISSUED = inline_serializer("ApiToken", {"token": serializers.CharField(help_text="Shown once"),
                                         "expiry": serializers.DateTimeField()})


@extend_schema(request=None, responses={201: _ISSUED},
               summary="A token for later calls (sign in with HTTP Basic; a token cannot make another)")
@api_view(["POST"])
@authentication_classes([LockoutBasicAuthentication, ApiSessionAuthentication])
def token_issue(request):
    token, secret = api_token_issue(user=request.user)
    return Response({"token": secret, "expiry": token.expiry}, status=status.HTTP_201_CREATED)


@extend_schema(request=None, responses={204: None}, summary="End the token this call is made with")
@api_view(["DELETE"])
@authentication_classes([LockoutBasicAuthentication, ApiTokenAuthentication])
def token_revoke(request):
    if not isinstance(request.auth, AuthToken):
        raise ValidationError({"Authorization": [_("Send the token to end as Authorization: Token <token>.")]})
    api_token_revoke(token=request.auth, actor=request.user)
    return Response(status=status.HTTP_204_NO_CONTENT)
