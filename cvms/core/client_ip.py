"""The client's address: one rule for every limit that counts per address (the sign-in lockout,
allauth's rate limits, the API's throttles through ``cvms.api.throttling``)."""

import ipaddress
import re

from django.conf import settings

# An address a proxy wrote with its port: "203.0.113.9:443", "[2001:db8::9]:443" or "[2001:db8::9]".
_WITH_PORT = re.compile(r"\[(?P<v6>[0-9a-fA-F:.]+)\](:[0-9]+)?|(?P<v4>[0-9.]+):[0-9]+")


def client_ip(request) -> str | None:
    """``REMOTE_ADDR``, unless ``CVMS_TRUSTED_PROXY_COUNT`` proxies stand in front of the server:
    then the address the outermost of them saw, read from the right of ``X-Forwarded-For`` (with
    any port it wrote left off). Anything a client wrote further left is ignored; with no trusted
    proxy the header is ignored altogether; a hop that is no address (empty, garbage) counts as
    the connection's own address, never as a fresh one of its own."""
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
    """One spelling per address: ports dropped, IPv6 compressed in lower case, an IPv4 address
    mapped into IPv6 written as IPv4."""
    text = text.strip()
    match = _WITH_PORT.fullmatch(text)
    if match:
        text = match.group("v6") or match.group("v4")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return str(getattr(address, "ipv4_mapped", None) or address)
