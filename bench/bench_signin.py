"""Sign-in under the production server: twelve staff of one clinic (one address) sign in at the same
moment, against gunicorn started with the Dockerfile's own command (workers included), DEBUG off.

Each round, twelve browsers-to-be fetch the sign-in page (not timed), then all post their email and
password at once; the round's time runs from that moment to the last answer. The peer is the same
twelve sign-ins one after another. Passwords are hashed as production hashes them (Django's PBKDF2
default), since that hash is most of a sign-in's cost.
"""

import http.client
import re
import statistics
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils.crypto import get_random_string

from bench.run import Result
from bench.server import dockerfile_workers, free_port, gunicorn_start, gunicorn_stop
from cvms.accounts.models import User
from cvms.accounts.services import user_create

STAFF = 12
ROUNDS = 5
PASSWORD = "a-clinic-password-2021"  # noqa: S105 (the bench users' own, in the bench database)
CLINIC = "203.0.113.7"  # the address every sign-in comes from, as behind one clinic's router


def run() -> list[Result]:
    emails = _staff()
    port = free_port()
    server = gunicorn_start(port)
    try:
        _sign_in_together(port, emails)  # warm-up: each worker loads the code and its connection
        rounds = [_sign_in_together(port, emails) for _ in range(ROUNDS)]
        one_by_one = _sign_in_one_by_one(port, emails)
    finally:
        gunicorn_stop(server)
    seconds = statistics.median(r["seconds"] for r in rounds)
    refused = sum(r["refused"] for r in rounds)
    slowest = max(r["slowest"] for r in rounds)
    workers = dockerfile_workers()
    return [Result(
        name=f"sign-in: {STAFF} at once from one address, gunicorn {workers} workers: "
             f"{STAFF / seconds:.1f} sign-ins/s, slowest {slowest:.2f} s, {refused} refused",
        volume=f"{STAFF} sign-ins x {ROUNDS} rounds", seconds=seconds, target="every one signed in, none 429",
        peer=f"the same {STAFF} one after another", peer_seconds=one_by_one,
    )]


def _staff() -> list[str]:
    encoded = PBKDF2PasswordHasher().encode(PASSWORD, get_random_string(22))
    emails = []
    for n in range(STAFF):
        user = user_create(email=f"bench.nurse{n}@clinic.example.com", verified=True)
        User.objects.filter(pk=user.pk).update(password=encoded)
        emails.append(user.email)
    return emails


def _get_form(port: int) -> tuple[str, str, http.client.HTTPConnection]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return token, "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items()), connection


def _post(port: int, form, email: str) -> tuple[int, float]:
    token, cookie, connection = form
    body = urlencode({"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    start = time.perf_counter()
    connection.request("POST", "/accounts/login/", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": CLINIC,
        "Referer": f"http://127.0.0.1:{port}/accounts/login/"})
    response = connection.getresponse()
    response.read()
    connection.close()
    signed_in = response.status == 302 and "/accounts/" not in response.getheader("Location", "")
    return (200 if signed_in else response.status), time.perf_counter() - start


def _sign_in_together(port: int, emails: list[str]) -> dict:
    forms = [_get_form(port) for _ in emails]
    start = threading.Barrier(len(emails) + 1)
    answers = [None] * len(emails)

    def sign_in(n):
        start.wait()
        answers[n] = _post(port, forms[n], emails[n])

    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(len(emails))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"seconds": time.perf_counter() - began, "refused": sum(1 for status, _ in answers if status != 200),
            "slowest": max(took for _, took in answers)}


def _sign_in_one_by_one(port: int, emails: list[str]) -> float:
    forms = [_get_form(port) for _ in emails]
    began = time.perf_counter()
    statuses = [_post(port, form, email)[0] for form, email in zip(forms, emails, strict=True)]
    took = time.perf_counter() - began
    if set(statuses) != {200}:
        raise RuntimeError(f"a sign-in one after another failed: {statuses}")
    return took
