"""One rule for the client's address, from a configured number of trusted proxies."""

import base64

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from cvms.accounts.models import SignInAttempt
from cvms.core.client_ip import client_ip

PROXY = "10.0.0.2"


def request(forwarded=None, remote=PROXY):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def proxies(count):
    return override_settings(CVMS_TRUSTED_PROXY_COUNT=count,
                             REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": count})


def test_with_no_trusted_proxy_a_forwarded_header_is_ignored():
    assert client_ip(request("6.6.6.6", remote="198.51.100.9")) == "198.51.100.9"


@proxies(1)
def test_with_one_proxy_only_the_address_it_saw_is_read():
    assert client_ip(request("6.6.6.6, 198.51.100.9")) == "198.51.100.9"  # 6.6.6.6: written by the client
    assert client_ip(request("198.51.100.9")) == "198.51.100.9"
    assert client_ip(request()) == PROXY  # not forwarded: the proxy's own request


@proxies(2)
def test_with_two_proxies_the_outer_ones_hop_is_read():
    assert client_ip(request("6.6.6.6, 198.51.100.9, 10.0.0.1")) == "198.51.100.9"
    assert client_ip(request("198.51.100.9")) == "198.51.100.9"  # fewer hops: every one is a proxy's


@proxies(1)
def test_a_forwarded_value_that_is_no_address_falls_back_to_the_peer():
    assert client_ip(request("not-an-address")) == PROXY
    assert client_ip(request("2001:db8::1")) == "2001:db8::1"


@pytest.mark.parametrize("count, forwarded", [(0, "6.6.6.6"), (1, "6.6.6.6, 198.51.100.9"),
                                              (2, "6.6.6.6, 198.51.100.9, 10.0.0.1"), (3, "198.51.100.9")])
def test_the_api_throttle_and_allauths_rate_limits_use_the_same_address(count, forwarded):
    with proxies(count):  # Django REST framework reloads its settings on the change
        raw = request(forwarded)
        assert api_settings.NUM_PROXIES == count
        assert AnonRateThrottle().get_ident(Request(raw)) == client_ip(raw)
        for throttle in api_settings.DEFAULT_THROTTLE_CLASSES:
            assert throttle().get_ident(Request(raw)) == client_ip(raw)
        assert get_adapter().get_client_ip(raw) == client_ip(raw)


@pytest.mark.parametrize(("forwarded", "expected"), [
    ("203.0.113.9:443", "203.0.113.9"), ("6.6.6.6, 203.0.113.9:443", "203.0.113.9"),
    ("[2001:db8::9]:443", "2001:db8::9"), ("[2001:db8::9]", "2001:db8::9"), ("2001:DB8::9", "2001:db8::9"),
    ("::ffff:203.0.113.9", "203.0.113.9"), ("garbage", PROXY), ("203.0.113.9, ", PROXY), ("", PROXY),
    ("203.0.113.9:https", PROXY),
])
@proxies(1)
def test_lockout_allauth_and_every_api_throttle_agree_on_a_forwarded_address(forwarded, expected, db):
    raw = request(forwarded)
    assert client_ip(raw) == expected
    assert get_adapter().get_client_ip(raw) == expected
    assert {throttle().get_ident(Request(raw)) for throttle in api_settings.DEFAULT_THROTTLE_CLASSES} == {expected}
    Client().post(reverse("account_login"), {"login": "someone@example.com", "password": "wrong"},
                  REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert SignInAttempt.objects.get().client_ip == expected


def test_settings_feed_the_proxy_count_to_the_api_throttles():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.CVMS_TRUSTED_PROXY_COUNT == 0


def test_a_spoofed_forwarded_header_gets_no_fresh_sign_in_bucket(provider_a, password):
    for n in range(5):
        Client().post(reverse("account_login"), {"login": provider_a.email, "password": "wrong"},
                      REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}")
    assert set(SignInAttempt.objects.values_list("client_ip", flat=True)) == {"198.51.100.9"}


@proxies(1)
@override_settings(CVMS_SIGNIN_FAILURES_PER_ADDRESS=20)
def test_behind_the_proxy_one_clients_flood_leaves_another_clients_first_sign_in_alone(provider_a, password):
    for n in range(25):
        Client().post(reverse("account_login"), {"login": f"made-up-{n}@nowhere.example.com", "password": "x"},
                      REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    token = base64.b64encode(f"{provider_a.email}:{password}".encode()).decode()
    response = Client().get(reverse("api:me"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9",
                            HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 200
