"""Whole public answers served from the cache, in front of Django, for a launch-morning crowd.

A view marks an answer anyone may share (``public_cacheable``): the same bytes for every visitor
without a session, by path, query and language. ``PublicCacheApp`` wraps the WSGI application:
the first such request goes through Django and its answer (with every header the middleware added)
is kept for a few seconds; the next ones are answered from the cache without Django's middleware,
each with its own CSRF token (the cached page holds a placeholder) and a 304 where the client's
ETag matches. Once an answer is past its time, one request goes to Django for a new one while the
others are still given the kept one, so a crowd never builds the same page at once. Anything else,
a visitor with a session or any cookie but the CSRF and language ones, a host Django would refuse,
plain HTTP where HTTPS is required, goes to Django as before."""

import logging
import re
import threading
import time
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.http.request import split_domain_port, validate_host
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, _get_new_csrf_string, _mask_cipher_secret
from django.utils.http import parse_http_date_safe
from django.utils.translation import trans_real

logger = logging.getLogger(__name__)

CSRF_PLACEHOLDER = b"__cvms_csrf_token__"
_TOKEN_IN_PAGE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
_ALLOWED_COOKIES = {"csrftoken", "django_language"}
_DROPPED_HEADERS = {"set-cookie", "date"}
MAX_QUERY = 300
#: Seconds a worker process keeps an answer it read from Redis, so a crowd asking for the same
#: few answers costs no round trip to Redis; an answer is never older than the view asked plus this.
LOCAL_SECONDS = 1.0
#: Answers a worker keeps at most (the oldest go first).
LOCAL_MAX = 256
#: Seconds an answer past its time is still given while one request builds it again.
REFRESH_SECONDS = 10


def public_cacheable(response: HttpResponse, *, seconds: int, by_language: bool = True) -> HttpResponse:
    """Let ``PublicCacheApp`` keep ``response`` for ``seconds`` for visitors without a session."""
    response.public_cache = (seconds, by_language)
    return response


def _cookies(environ) -> dict[str, str] | None:
    """The request's cookies, or None when it carries one a cached answer could not honour."""
    header = environ.get("HTTP_COOKIE", "")
    if not header:
        return {}
    cookies = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if not name:
            continue
        if name not in _ALLOWED_COOKIES:
            return None
        cookies[name] = value
    return cookies


def _language(environ, cookies) -> str:
    # As Django's LocaleMiddleware reads them: a cookie's regional variant ("es-mx") is Spanish.
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return trans_real.get_supported_language_variant(chosen)
        except LookupError:
            pass
    for accepted, _q in trans_real.parse_accept_lang_header(environ.get("HTTP_ACCEPT_LANGUAGE", "")):
        if accepted == "*":
            break
        try:
            return trans_real.get_supported_language_variant(accepted)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _secure(environ) -> bool:
    if settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        if environ.get(header, "").split(",")[0].strip() == value:
            return True
    return environ.get("wsgi.url_scheme") == "https"


def _key(environ, language: str, secure: bool) -> str:
    path = quote(environ.get("PATH_INFO", ""), safe="/$._-")
    return f"public:{'s' if secure else 'p'}:{language}:{path}?{environ.get('QUERY_STRING', '')}"


def _csrf_cookie_header(secret: str) -> tuple[str, str]:
    response = HttpResponse()
    response.set_cookie(settings.CSRF_COOKIE_NAME, secret, max_age=settings.CSRF_COOKIE_AGE,
                        domain=settings.CSRF_COOKIE_DOMAIN, path=settings.CSRF_COOKIE_PATH,
                        secure=settings.CSRF_COOKIE_SECURE, httponly=settings.CSRF_COOKIE_HTTPONLY,
                        samesite=settings.CSRF_COOKIE_SAMESITE)
    return "Set-Cookie", response.cookies[settings.CSRF_COOKIE_NAME].OutputString()


def _not_modified(headers, environ) -> bool:
    """The client holds this answer: its ETag, or (without If-None-Match) a Last-Modified no older."""
    kept = {k.lower(): v for k, v in headers}
    if "HTTP_IF_NONE_MATCH" in environ:
        return "etag" in kept and kept["etag"] in [t.strip() for t in environ["HTTP_IF_NONE_MATCH"].split(",")]
    modified = parse_http_date_safe(kept.get("last-modified", ""))
    since = parse_http_date_safe(environ.get("HTTP_IF_MODIFIED_SINCE", ""))
    return modified is not None and since is not None and modified <= since


def _shareable(captured, result, language: str) -> bool:
    """Django's answer may be given to anyone under ``language``: a whole 200, no cookie of its
    own but the CSRF one (its token is swapped per visitor), not private, and in the language of
    the key it would be kept under."""
    if not captured.get("status", "").startswith("200") or getattr(result, "streaming", False):
        return False
    headers = [(k.lower(), v) for k, v in captured["headers"]]
    for name, value in headers:
        if name == "set-cookie" and value.strip().split("=", 1)[0] != settings.CSRF_COOKIE_NAME:
            return False
        if name == "cache-control" and {"private", "no-store", "no-cache"} & {
                part.strip().split("=", 1)[0].lower() for part in value.split(",")}:
            return False
    answered_in = [v for k, v in headers if k == "content-language"]
    return not language or answered_in in ([], [language])


class PublicCacheApp:
    """WSGI middleware: ``app`` is Django's WSGI handler."""

    def __init__(self, app):
        self.app = app
        self._local: dict[str, tuple[float, tuple]] = {}
        self._lock = threading.Lock()

    def _kept(self, keys: list[str]):
        """The key and the answer kept under the first of ``keys``: this process's copy while it
        is fresh, else Redis's; None when neither holds one."""
        now = time.monotonic()
        for key in keys:
            local = self._local.get(key)
            if local is not None and local[0] > now:
                return key, local[1]
        try:
            found = cache.get_many(keys)
        except Exception:  # noqa: BLE001 - no cache, no shortcut: Django answers
            return None
        for key in keys:
            if key in found:
                with self._lock:
                    if len(self._local) >= LOCAL_MAX:
                        self._local = {k: v for k, v in self._local.items() if v[0] > now}
                        while len(self._local) >= LOCAL_MAX:
                            self._local.pop(next(iter(self._local)))
                    self._local[key] = (now + LOCAL_SECONDS, found[key])
                return key, found[key]
        return None

    @staticmethod
    def _refresh_claimed(key: str) -> bool:
        """One request (of every worker) goes to Django for an answer past its time; the others
        are answered from the kept one meanwhile, so a crowd never builds the same page at once."""
        try:
            return cache.add(f"{key}:refresh", 1, REFRESH_SECONDS)
        except Exception:  # noqa: BLE001
            return True

    def __call__(self, environ, start_response):
        cookies = _cookies(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if (cookies is None or "HTTP_AUTHORIZATION" in environ or len(environ.get("QUERY_STRING", "")) > MAX_QUERY
                or not self._host_allowed(environ)):
            return self.app(environ, start_response)
        secure = _secure(environ)
        if settings.SECURE_SSL_REDIRECT and not secure:
            return self.app(environ, start_response)
        keys = [_key(environ, _language(environ, cookies), secure), _key(environ, "", secure)]
        kept = self._kept(keys)
        if kept is not None:
            key, (headers, body, fresh_until) = kept
            if fresh_until > time.time() or not self._refresh_claimed(key):
                return self._serve(headers, body, environ, cookies, start_response)
        return self._through_django(environ, start_response, cookies, secure)

    @staticmethod
    def _host_allowed(environ) -> bool:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        domain, _port = split_domain_port(host)
        allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
        return bool(domain) and validate_host(domain, allowed)

    def _through_django(self, environ, start_response, cookies, secure):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        marked = getattr(result, "public_cache", None)
        language = _language(environ, cookies)
        if marked and _shareable(captured, result, language if marked[1] else ""):
            seconds, by_language = marked
            body = _TOKEN_IN_PAGE.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", result.content)
            headers = [(k, v) for k, v in captured["headers"] if k.lower() not in _DROPPED_HEADERS]
            try:
                key = _key(environ, language if by_language else "", secure)
                cache.set(key, (headers, body, time.time() + seconds), seconds + REFRESH_SECONDS)
                cache.delete(f"{key}:refresh")
            except Exception:  # noqa: BLE001 - the answer was given; keeping it is a bonus
                logger.warning("public answer not kept in the cache", exc_info=True)
        return result

    @staticmethod
    def _serve(headers, body, environ, cookies, start_response):
        headers = list(headers)
        if _not_modified(headers, environ):
            start_response("304 Not Modified", [(k, v) for k, v in headers
                                                if k.lower() not in ("content-length", "content-type")])
            return []
        if CSRF_PLACEHOLDER in body:
            secret = cookies.get(settings.CSRF_COOKIE_NAME, "")
            # Django's own test of a secret: str.isalnum() would also pass "é" and fail the masking.
            if len(secret) != CSRF_SECRET_LENGTH or not set(secret) <= set(CSRF_ALLOWED_CHARS):
                secret = _get_new_csrf_string()
                headers.append(_csrf_cookie_header(secret))
            body = body.replace(CSRF_PLACEHOLDER, _mask_cipher_secret(secret).encode())
            headers = [(k, str(len(body)) if k.lower() == "content-length" else v) for k, v in headers]
        start_response("200 OK", headers)
        return [body]
