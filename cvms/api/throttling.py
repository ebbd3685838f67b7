"""The API's throttles, keyed by the project's one client-address rule (``cvms.core.client_ip``)
rather than Django REST framework's own reading of ``X-Forwarded-For``, which takes a hop such as
``203.0.113.9:443`` or ``garbage`` as written: a fresh bucket for every spelling."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from cvms.core.client_ip import client_ip


class ClientAddressMixin:
    def get_ident(self, request):
        return client_ip(request) or ""


class AnonThrottle(ClientAddressMixin, AnonRateThrottle):
    pass


class UserThrottle(ClientAddressMixin, UserRateThrottle):
    pass
