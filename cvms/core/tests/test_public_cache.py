"""Whole public answers kept in front of Django: the second visitor without a session is answered
from the cache with the same headers, a CSRF token of their own and the language they read; anyone
with a session, a refused host or another method goes through Django."""

import datetime
import io
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.urls import reverse
from django.utils import timezone

from cvms.appointments.models import SelfScheduling
from cvms.appointments.services import schedule_create
from cvms.core import public_cache
from cvms.core.public_cache import PublicCacheApp
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.tests.factories import LocationFactory

FIND = reverse("recipient_portal:find")
MANIFEST = reverse("scheduling_manifest")


class Counted:
    """Django's WSGI handler, counting the requests that reach it."""

    def __init__(self):
        self.handler, self.calls = WSGIHandler(), 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


@pytest.fixture
def app(db):
    cache.clear()
    location = LocationFactory(name="Raleigh Clinic", zip_code="27601", county="Wake", phone="9195550100")
    SelfScheduling.objects.create(location=location, enabled=True)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    schedule_create(actor=None, location=location, product=VaccineProductFactory(), dose_number=1,
                    weekdays=list(range(7)), opens_at=datetime.time(9), closes_at=datetime.time(10), slot_minutes=30,
                    capacity=3, first_day=tomorrow, last_day=tomorrow)
    # As the test client does: a request's end must not close the test's database connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield PublicCacheApp(Counted())
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _environ_and_start(path):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO()}
    return environ, lambda status, headers, exc_info=None: None


def call(app, path, query="", method="GET", **headers):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
               "SERVER_PROTOCOL": "HTTP/1.1", **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, response_headers

    body = b"".join(app(environ, start_response))
    return int(answer["status"][:3]), answer["headers"], body


def header(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


def test_a_second_visitor_gets_the_same_page_from_the_cache_with_a_token_of_their_own(app):
    status, django_headers, first = call(app, FIND, "zip_code=27601")
    assert status == 200 and b"Raleigh Clinic" in first and app.app.calls == 1
    status, headers, second = call(app, FIND, "zip_code=27601")
    assert status == 200 and app.app.calls == 1
    assert b"Raleigh Clinic" in second and b"__cvms_csrf_token__" not in second
    for name in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
                 "Content-Language", "Content-Type", "Vary"):
        assert header(headers, name) == header(django_headers, name), name
    [cookie] = header(headers, "Set-Cookie")
    secret = cookie.split(";")[0].split("=", 1)[1]
    token = second.split(b'name="csrfmiddlewaretoken" value="')[1].split(b'"')[0].decode()
    assert _unmask_cipher_token(token) == secret
    assert int(header(headers, "Content-Length")[0]) == len(second)


def test_a_visitor_who_holds_a_csrf_cookie_keeps_it(app):
    call(app, FIND, "county=Wake")
    secret = "a" * 32
    _status, headers, body = call(app, FIND, "county=Wake", cookie=f"{settings.CSRF_COOKIE_NAME}={secret}")
    assert app.app.calls == 1 and not header(headers, "Set-Cookie")
    token = body.split(b'name="csrfmiddlewaretoken" value="')[1].split(b'"')[0].decode()
    assert _unmask_cipher_token(token) == secret


def test_each_language_is_kept_apart(app):
    call(app, FIND, "county=Wake")
    _status, headers, body = call(app, FIND, "county=Wake", accept_language="es")
    assert app.app.calls == 2 and header(headers, "Content-Language") == ["es"] and b'<html lang="es"' in body
    _status, headers, _body = call(app, FIND, "county=Wake", cookie="django_language=es")
    assert app.app.calls == 2 and header(headers, "Content-Language") == ["es"]


def test_a_session_another_method_or_a_refused_host_goes_to_django(app):
    call(app, FIND, "county=Wake")
    call(app, FIND, "county=Wake", cookie="sessionid=abc")
    call(app, FIND, "county=Wake", method="POST")
    status, _headers, _body = call(app, FIND, "county=Wake", host="evil.example.com")
    assert app.app.calls == 4 and status == 400


def test_the_feed_from_the_cache_answers_304_to_a_client_holding_it(app):
    _status, headers, body = call(app, MANIFEST)
    [etag] = header(headers, "ETag")
    status, headers, again = call(app, MANIFEST)
    assert status == 200 and again == body and app.app.calls == 1
    assert header(headers, "Content-Type") == ["application/json"] and not header(headers, "Set-Cookie")
    status, _headers, nothing = call(app, MANIFEST, if_none_match=etag)
    assert status == 304 and nothing == b"" and app.app.calls == 1
    [modified] = header(headers, "Last-Modified")
    assert call(app, MANIFEST, if_modified_since=modified)[0] == 304
    assert call(app, MANIFEST, if_none_match='"another"', if_modified_since=modified)[0] == 200
    assert app.app.calls == 1


def test_a_worker_answers_a_crowd_from_its_own_copy_without_asking_redis_each_time(app, monkeypatch):
    call(app, MANIFEST)
    call(app, MANIFEST)  # read from Redis once, then kept by this worker for a second

    def down(*args, **kwargs):
        raise AssertionError("Redis asked again")

    monkeypatch.setattr(cache, "get_many", down)
    assert call(app, MANIFEST)[0] == 200 and app.app.calls == 1


def test_an_answer_past_its_time_is_built_by_one_request_while_the_crowd_gets_the_kept_one(app, monkeypatch):
    call(app, MANIFEST)
    later = time.time() + settings.CVMS_PUBLIC_CACHE_SECONDS + 1
    monkeypatch.setattr(public_cache.time, "time", lambda: later)
    refreshing = public_cache._key({"PATH_INFO": MANIFEST, "QUERY_STRING": ""}, "", False) + ":refresh"
    cache.add(refreshing, 1)  # another worker is building it again
    crowd = PublicCacheApp(app.app)  # a worker with no copy of its own
    assert crowd(*_environ_and_start(MANIFEST)) and app.app.calls == 1
    cache.delete(refreshing)
    assert call(crowd, MANIFEST)[0] == 200 and app.app.calls == 2  # this one builds it
    assert not cache.get(refreshing)


def test_without_redis_django_answers(app, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(cache, "get_many", down)
    assert call(app, FIND, "county=Wake")[0] == 200 and app.app.calls == 1


def test_a_regional_language_cookie_never_leaves_its_language_under_another_visitors_key(app):
    _status, headers, _body = call(app, FIND, "county=Wake", cookie="django_language=es-mx")
    assert header(headers, "Content-Language") == ["es"]
    _status, headers, body = call(app, FIND, "county=Wake")
    assert header(headers, "Content-Language") == ["en"] and b'<html lang="en"' in body


def test_an_answer_that_sets_a_cookie_other_than_csrf_or_is_private_is_not_kept(app, monkeypatch):
    def marked(environ, start_response):
        response = public_cache.public_cacheable(HttpResponse(b"for you alone"), seconds=30)
        response.set_cookie("sessionid", "abc")
        start_response("200 OK", list(response.items()) + [("Set-Cookie", response.cookies.output(header=""))])
        return response

    def private(environ, start_response):
        response = public_cache.public_cacheable(HttpResponse(b"yours"), seconds=30)
        response["Cache-Control"] = "private"
        start_response("200 OK", list(response.items()))
        return response

    for inner in (marked, private):
        cache.clear()
        guarded = PublicCacheApp(inner)
        call(guarded, FIND)
        assert cache.get(public_cache._key({"PATH_INFO": FIND, "HTTP_HOST": "127.0.0.1"}, "en", False)) is None


def test_a_csrf_cookie_of_look_alike_letters_gets_a_fresh_token_not_an_error(app):
    call(app, FIND, "county=Wake")
    status, headers, body = call(app, FIND, "county=Wake", cookie=f"{settings.CSRF_COOKIE_NAME}={'é' * 32}")
    assert status == 200 and app.app.calls == 1
    [cookie] = header(headers, "Set-Cookie")
    secret = cookie.split(";")[0].split("=", 1)[1]
    token = body.split(b'name="csrfmiddlewaretoken" value="')[1].split(b'"')[0].decode()
    assert secret.isascii() and _unmask_cipher_token(token) == secret
