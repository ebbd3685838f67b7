"""The client's address: one rule for every limit that counts per address (the sign-in lockout,
allauth's rate limits, the API's throttles)."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """``REMOTE_ADDR``, unless ``CVMS_TRUSTED_PROXY_COUNT`` proxies stand in front of the server:
    then the address the outermost of them saw, read from the right of ``X-Forwarded-For``
    (Django REST framework's ``NUM_PROXIES`` rule, so its throttles agree). Anything a client
    wrote further left is ignored; with no trusted proxy the header is ignored altogether."""
    meta = request.META
    proxies = settings.CVMS_TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = forwarded.split(",")
        address = _address(hops[-min(proxies, len(hops))])
        if address:
            return address
    return _address(meta.get("REMOTE_ADDR", ""))


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
