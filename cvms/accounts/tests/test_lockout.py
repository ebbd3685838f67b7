"""One lockout for every way in: the sign-in page, Django admin and the API's HTTP Basic share one
set of counters, kept in PostgreSQL."""

import base64
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from cvms.accounts.checks import check_sign_in_backend_comes_first
from cvms.accounts.models import SignInAttempt
from cvms.accounts.tests.factories import UserFactory
from cvms.core.models import AuditLog

CLINIC = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def web(login, password, ip=CLINIC):
    return Client().post(reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=ip)


def admin(login, password, ip=CLINIC):
    return Client().post(reverse("admin:login"), {"username": login, "password": password, "next": "/admin/"},
                         REMOTE_ADDR=ip)


def api(login, password, ip=CLINIC):
    token = base64.b64encode(f"{login}:{password}".encode()).decode()
    return Client().get(reverse("api:me"), REMOTE_ADDR=ip, HTTP_AUTHORIZATION=f"Basic {token}")


def signed_in(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" not in response.url


def paused(response) -> bool:
    return response.status_code == 429 and b"Sign-in is paused" in response.content


def lock(login, ip=CLINIC):
    for _ in range(5):
        assert web(login, "wrong-password", ip=ip).status_code in (200, 429)


def test_an_account_locked_on_the_sign_in_page_is_refused_at_admin_and_on_the_api(state_reviewer, password):
    lock(state_reviewer.email)
    assert paused(admin(state_reviewer.email, password))
    assert api(state_reviewer.email, password).status_code == 429
    assert paused(web(state_reviewer.email, password, ip=ELSEWHERE))


def test_wrong_passwords_at_admin_and_on_the_api_are_counted(state_reviewer, password):
    for _ in range(3):
        assert admin(state_reviewer.email, "wrong-password").status_code == 200
    for _ in range(2):
        assert api(state_reviewer.email, "wrong-password").status_code in (401, 429)
    assert paused(web(state_reviewer.email, password))


def test_the_right_password_below_the_limit_signs_in_everywhere(state_reviewer, password):
    for _ in range(4):
        web(state_reviewer.email, "wrong-password")
    assert signed_in(admin(state_reviewer.email, password))
    assert api(state_reviewer.email, password).status_code == 200
    assert signed_in(web(state_reviewer.email, password))


@override_settings(CVMS_HELPDESK_PHONE="(919) 555-0142", CVMS_SIGNIN_PAUSE_MINUTES=15)
@pytest.mark.parametrize("way_in", [web, admin], ids=["sign-in page", "admin"])
def test_the_paused_page_says_how_long_and_how_to_get_help_in_the_sites_layout(state_reviewer, password, way_in):
    lock(state_reviewer.email)
    response = way_in(state_reviewer.email, password)
    assert paused(response)
    page = response.content.decode()
    assert "Try again in 15 minutes" in page
    assert "(919) 555-0142" in page and reverse("account_reset_password") in page
    assert 'class="usa-banner"' in page and "cvms-header" in page  # templates/base.html
    assert 0 < int(response["Retry-After"]) <= 15 * 60


def test_the_fifth_wrong_password_already_says_the_sign_in_is_paused(provider_a):
    answers = [web(provider_a.email, "wrong-password") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert b"not correct" in answers[0].content


def test_a_paused_api_sign_in_answers_429_in_json_with_the_reason(provider_a, password):
    lock(provider_a.email)
    response = api(provider_a.email, password)
    assert response.status_code == 429
    assert "paused" in response.json()["detail"] and "minutes" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_a_wrong_api_password_answers_401_in_json_with_a_challenge(provider_a):
    response = api(provider_a.email, "wrong-password")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid username/password."}
    assert response["WWW-Authenticate"].startswith("Basic ")


def test_a_pause_is_audit_logged_once_naming_the_account(provider_a, password):
    lock(provider_a.email)
    web(provider_a.email, password)
    api(provider_a.email, "wrong-password")
    [entry] = AuditLog.objects.filter(action="accounts.signin.paused")
    assert entry.object_id == str(provider_a.pk) and entry.actor is None
    assert entry.changes["login"] == provider_a.email and entry.changes["client_ip"] == CLINIC


def test_the_pause_lifts_when_the_window_has_passed(provider_a, password):
    lock(provider_a.email)
    assert paused(web(provider_a.email, password))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {SignInAttempt._meta.db_table} SET at = at - interval '16 minutes'")  # noqa: S608
    assert signed_in(web(provider_a.email, password))


def test_a_new_password_lifts_the_pause(client, provider_a, password, mailoutbox):
    lock(provider_a.email)
    client.post(reverse("account_reset_password"), {"email": provider_a.email})
    [link] = [word for word in mailoutbox[-1].body.split() if "/accounts/password/reset/key/" in word]
    form = client.get(link, follow=True)
    new_password = "a-brand-new-password-77"
    response = client.post(form.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert signed_in(web(provider_a.email, new_password))
    assert AuditLog.objects.filter(action="accounts.signin.failures_cleared", object_id=str(provider_a.pk)).exists()


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:1/0"}})
def test_sign_in_and_the_lockout_work_while_redis_is_down(provider_a, outsider, password):
    assert signed_in(web(outsider.email, password))
    lock(provider_a.email)
    assert paused(web(provider_a.email, password))
    assert paused(admin(provider_a.email, password))


def test_a_sign_in_never_waits_on_a_rate_limit_lock_held_by_another(provider_a, password):
    # A sign-in that held allauth's per-address cache lock while the machine was busy made every
    # other sign-in from that address wait one second, then answer 429.
    cache.set(f"allauth:rl:allauth.account:login:300/60/ip:ip:{CLINIC}:lock", True, timeout=30)
    assert signed_in(web(provider_a.email, password))


@pytest.mark.django_db(transaction=True)
def test_twelve_staff_signing_in_at_once_from_one_address_all_get_in(password):
    staff = [UserFactory(email=f"nurse{n}@clinic.example.com") for n in range(12)]
    start = threading.Barrier(len(staff))
    answers = {}

    def sign_in(user):
        start.wait()
        answers[user.email] = web(user.email, password)
        connection.close()

    threads = [threading.Thread(target=sign_in, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {email: a.status_code for email, a in answers.items()} == {u.email: 302 for u in staff}


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_at_most_the_limit_of_passwords_checked(password):
    victim = UserFactory(email="victim@clinic.example.com")
    start = threading.Barrier(12)
    statuses = []

    def guess():
        start.wait()
        statuses.append(web(victim.email, "wrong-password").status_code)
        connection.close()

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each failure whose password was checked stays counted; refused ones were never checked.
    checked = SignInAttempt.objects.filter(login=victim.email)
    assert checked.count() <= 5 and statuses.count(200) <= 4  # the fifth failure answers "paused"
    for _ in range(6):
        web(victim.email, "wrong-password")
    assert checked.count() == 5
    assert paused(web(victim.email, password))


# --- A flood of made-up logins from one address

def flood(count, ip=CLINIC):
    for n in range(count):
        web(f"made-up-{n}@nowhere.example.com", "guess", ip=ip)


def test_a_flood_of_made_up_logins_cannot_lock_out_a_clinics_staff(tenant_a, password):
    nurse, coordinator = tenant_a.vaccinator, tenant_a.coordinator
    assert signed_in(web(nurse.email, password))  # both have worked from the clinic before
    assert api(coordinator.email, password).status_code == 200
    flood(205)
    assert paused(web("made-up-999@nowhere.example.com", "guess"))  # the attacker stays throttled
    assert signed_in(web(nurse.email, password))
    assert api(coordinator.email, password).status_code == 200


@override_settings(CVMS_SIGNIN_FAILURES_PER_ADDRESS=20)
def test_after_a_flood_a_login_that_exists_gets_the_same_answer_as_a_made_up_one(tenant_a, password):
    nurse, never_here = tenant_a.vaccinator, tenant_a.front_desk
    assert signed_in(web(nurse.email, password))
    flood(25)
    # Known here or not, existing or not: a wrong guess is told the same.
    for login in (never_here.email, nurse.email, "someone@nowhere.example.com"):
        assert paused(web(login, "guess"))
        assert api(login, "guess").status_code == 429


@override_settings(CVMS_SIGNIN_FAILURES_PER_ADDRESS=20)
def test_a_flood_is_audit_logged_once_for_the_address(db):
    flood(25)
    [entry] = AuditLog.objects.filter(action="accounts.signin.address_paused")
    assert entry.changes["client_ip"] == CLINIC


@override_settings(CVMS_SIGNIN_FAILURES_PER_ADDRESS=20)
def test_a_flood_from_one_address_leaves_other_addresses_alone(provider_a, password):
    flood(25, ip=ELSEWHERE)
    assert signed_in(web(provider_a.email, password))  # never signed in before, from another address


def test_a_backend_listed_before_the_lockouts_stops_the_server_starting():
    assert check_sign_in_backend_comes_first(None) == []
    with override_settings(AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend",
                                                    "cvms.accounts.backends.SignInBackend"]):
        [error] = check_sign_in_backend_comes_first(None)
    assert error.id == "accounts.E001"


# --- One budget per account, whichever of its logins is typed

def recipient_login(email, username, password):
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant, user_create

    user = user_create(email=email, username=username, password=password, verified=username.endswith("vaccine"))
    membership_grant(user=user, role=Role.RECIPIENT)
    return user


def test_wrong_passwords_on_a_recipients_username_pause_the_same_account_by_email(db, password):
    recipient_login("pat@example.com", "pat@example.com.covid19vaccine", password)
    lock("pat@example.com.covid19vaccine")
    assert paused(web("pat@example.com", password))
    assert api("pat@example.com", password).status_code == 429


def test_wrong_passwords_on_a_recipients_email_pause_the_same_account_by_username(db, password):
    recipient_login("pat@example.com", "pat@example.com.covid19vaccine", password)
    lock("pat@example.com")
    assert paused(web("pat@example.com.covid19vaccine", password))


def test_a_family_sharing_one_email_has_one_budget_per_person(db, password):
    first = recipient_login("family@example.com", "family@example.com.covid19vaccine", password)
    second = recipient_login("family@example.com", "family@example.com.covid19vaccine2", "seconds-own-pass-33")
    lock(second.username)
    assert paused(web(second.username, "seconds-own-pass-33"))
    assert paused(web("family@example.com", "seconds-own-pass-33"))  # the shared email reaches them too
    assert signed_in(web(first.username, password))


def test_wrong_passwords_on_a_shared_email_count_against_everyone_it_names(db, password):
    first = recipient_login("family@example.com", "family@example.com.covid19vaccine", password)
    second = recipient_login("family@example.com", "family@example.com.covid19vaccine2", "seconds-own-pass-33")
    lock("family@example.com")
    assert paused(web(first.username, password))
    assert paused(web(second.username, "seconds-own-pass-33"))


def test_family_members_signing_in_with_the_shared_email_never_pause_each_other(db, password):
    first = recipient_login("family@example.com", "family@example.com.covid19vaccine", password)
    recipient_login("family@example.com", "family@example.com.covid19vaccine2", "seconds-own-pass-33")
    for _ in range(6):  # each time the first's password is checked first, and is not this one
        assert signed_in(web("family@example.com", "seconds-own-pass-33"))
    assert signed_in(web(first.username, password))


def test_a_login_that_names_no_account_is_counted_as_typed(db):
    lock("nobody@example.com")
    assert paused(web("nobody@example.com", "guess"))
    assert not paused(web("somebody-else@example.com", "guess"))


# --- A browser its owner signed in from keeps working for them (device cookies)

def browser_signed_in_once(login, password, ip=CLINIC):
    browser = Client()
    assert signed_in(browser.post(reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=ip))
    browser.post(reverse("account_logout"), REMOTE_ADDR=ip)
    assert "_auth_user_id" not in browser.session
    return browser


def sign_in_with(browser, login, password, ip=CLINIC):
    return browser.post(reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=ip)


def test_an_attackers_wrong_passwords_pause_strangers_but_not_the_owners_browser(provider_a, password):
    owners_browser = browser_signed_in_once(provider_a.email, password)
    lock(provider_a.email, ip=ELSEWHERE)  # someone else, from anywhere
    assert paused(web(provider_a.email, password))  # a browser that never signed in as them
    assert api(provider_a.email, password).status_code == 429  # the API keeps the account's pause
    assert paused(admin(provider_a.email, password))
    assert signed_in(sign_in_with(owners_browser, provider_a.email, password))


def test_the_owners_own_wrong_passwords_in_their_browser_are_still_limited(provider_a, password):
    owners_browser = browser_signed_in_once(provider_a.email, password)
    answers = [sign_in_with(owners_browser, provider_a.email, "wrong-password").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    assert paused(sign_in_with(owners_browser, provider_a.email, password))
    assert AuditLog.objects.filter(action="accounts.signin.device_paused", object_id=str(provider_a.pk)).exists()


def test_a_device_cookie_vouches_only_for_the_account_that_signed_in_there(tenant_a, password):
    nurse, manager = tenant_a.vaccinator, tenant_a.manager
    browser = browser_signed_in_once(nurse.email, password)
    lock(manager.email, ip=ELSEWHERE)
    assert paused(sign_in_with(browser, manager.email, password))
    assert signed_in(sign_in_with(browser, nurse.email, password))


def test_a_forged_or_stale_device_cookie_counts_for_nothing(provider_a, password):
    from cvms.accounts.devices import COOKIE_NAME

    owners_browser = browser_signed_in_once(provider_a.email, password)
    forged = Client()
    forged.cookies[COOKIE_NAME] = owners_browser.cookies[COOKIE_NAME].value[:-2] + "xx"
    provider_a.set_password("a-new-password-for-a-4")  # the cookie was given for the old one
    provider_a.save(update_fields=["password"])
    lock(provider_a.email, ip=ELSEWHERE)
    assert paused(sign_in_with(forged, provider_a.email, "a-new-password-for-a-4"))
    assert paused(sign_in_with(owners_browser, provider_a.email, "a-new-password-for-a-4"))


# --- A current password asked before a change is a sign-in too

NEW = "a-brand-new-password-77"


def change_at_admin(browser, current):
    return browser.post("/admin/password_change/", {"old_password": current, "new_password1": NEW,
                                                    "new_password2": NEW}, REMOTE_ADDR=CLINIC)


def change_on_the_account_page(browser, current):
    return browser.post(reverse("account_change_password"), {"oldpassword": current, "password1": NEW,
                                                              "password2": NEW}, REMOTE_ADDR=CLINIC)


@pytest.mark.parametrize("change", [change_at_admin, change_on_the_account_page], ids=["admin", "account page"])
def test_wrong_current_passwords_are_counted_and_a_paused_account_is_refused(client, state_reviewer, password,
                                                                             change):
    client.force_login(state_reviewer)
    answers = [change(client, "wrong-password") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert paused(answers[-1])
    cache.clear()  # allauth's own per-minute limit, in the cache (gone when Redis is), is not what counts
    assert paused(change(client, password))  # the right one too, while paused
    state_reviewer.refresh_from_db()
    assert state_reviewer.check_password(password)
    assert paused(web(state_reviewer.email, password))  # one pause, for every way in


@pytest.mark.parametrize("change", [change_at_admin, change_on_the_account_page], ids=["admin", "account page"])
def test_the_right_current_password_still_changes_it(client, state_reviewer, password, change):
    client.force_login(state_reviewer)
    assert change(client, password).status_code == 302
    state_reviewer.refresh_from_db()
    assert state_reviewer.check_password(NEW)


@override_settings(CACHES={"default": {"BACKEND": "cvms.core.cache.FailSafeRedisCache",
                                       "LOCATION": "redis://127.0.0.1:1/0"}})
def test_current_passwords_are_counted_while_redis_is_down(client, state_reviewer):
    client.force_login(state_reviewer)
    for _ in range(4):
        change_on_the_account_page(client, "wrong-password")
    assert paused(change_on_the_account_page(client, "wrong-password"))
