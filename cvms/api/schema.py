"""OpenAPI descriptions drf-spectacular cannot derive on its own (loaded by ``ApiConfig.ready``)."""

from drf_spectacular.authentication import BasicScheme


class LockoutBasicScheme(BasicScheme):
    target_class = "cvms.api.authentication.LockoutBasicAuthentication"
    priority = 0
