"""OpenAPI descriptions drf-spectacular cannot derive on its own (loaded by ``ApiConfig.ready``)."""

from drf_spectacular.authentication import BasicScheme, SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class LockoutBasicScheme(BasicScheme):
    target_class = "cvms.api.authentication.LockoutBasicAuthentication"
    priority = 0


class ApiTokenScheme(KnoxTokenScheme):
    """``Authorization: Token <token>``, as ``POST /api/v1/tokens/`` issues it."""

    target_class = "cvms.api.authentication.ApiTokenAuthentication"
    name = "apiToken"


class ApiSessionScheme(SessionScheme):
    """A browser's session cookie, as on the website."""

    target_class = "cvms.api.authentication.ApiSessionAuthentication"
