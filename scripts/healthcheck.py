"""The web container's health probe: GET /healthz from gunicorn as the TLS proxy would send it.

The Host header is the first ALLOWED_HOSTS entry and X-Forwarded-Proto says https, so the probe
passes host validation and the HTTPS redirect like any real request. Exit 0 only on HTTP 200.
Usage: python scripts/healthcheck.py [port]  (default 8000)
"""

import os
import sys
import urllib.error
import urllib.request


def main(port: str = "8000") -> int:
    host = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".") or "localhost"
    request = urllib.request.Request(  # noqa: S310 - a fixed http:// address on loopback
        f"http://127.0.0.1:{port}/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(f"/healthz answered {error.code}: {error.read(500).decode(errors='replace')}")
    except OSError as error:
        print(f"/healthz did not answer: {error}")
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
