"""Logins are normalized one way everywhere: stored, looked up and counted by the lockout."""

import base64
import importlib
import random

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import User
from cvms.accounts.services import user_create
from cvms.accounts.tests.factories import PASSWORD, UserFactory

REAL = "nurse.kim@clinic.example.com"
# Spellings that are the same letters as REAL, so the same login (and the same lockout).
SAME_LETTERS = {
    "mixed case": "Nurse.Kim@Clinic.Example.COM",
    "long s": "nur\u017fe.kim@clinic.example.com",
    "fullwidth": "\uff4e\uff55\uff52\uff53\uff45.kim@clinic.example.com",
    "kelvin sign": "nurse.\u212aim@clinic.example.com",
}
# Letters that only look alike (PostgreSQL's UPPER folds the dotless i to I): another login, of
# no account.
DOTLESS_I = "nurse.kim@cl\u0131nic.example.com"


@pytest.fixture
def nurse(db):
    return UserFactory(email=REAL)


def web(login, password):
    return Client().post(reverse("account_login"), {"login": login, "password": password},
                         REMOTE_ADDR="203.0.113.7")


def api(login, password):
    token = base64.b64encode(f"{login}:{password}".encode()).decode()
    return Client().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR="203.0.113.7")


def test_normalizing_folds_case_and_compatibility_forms_but_not_look_alike_letters():
    assert {normalize_login(s) for s in SAME_LETTERS.values()} == {REAL}
    assert normalize_login("Stra\u00dfe@example.com") == "strasse@example.com"
    assert normalize_login(DOTLESS_I) != REAL
    assert normalize_login("  Nurse@Example.com ") == "nurse@example.com"


def test_normalizing_twice_changes_nothing():
    alphabet = [chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c <= 0xDFFF] + list("\u0307\u0301\u212a\u017f")
    rng = random.Random(8)
    for _ in range(20000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        once = normalize_login(value)
        assert normalize_login(once) == once, repr(value)


def test_new_accounts_store_username_and_email_normalized(db):
    user = user_create(email="\uff2eurse.Kim@Clinic.Example.COM", password=PASSWORD)
    assert (user.username, user.email) == (REAL, REAL)
    assert EmailAddress.objects.get(user=user).email == REAL


def test_an_admin_edit_stores_the_login_normalized(nurse):
    nurse.username, nurse.email = "NUR\u017fE.kim@clinic.example.com", "Nurse.KIM@clinic.example.com"
    nurse.full_clean()
    assert (nurse.username, nurse.email) == (REAL, REAL)


@pytest.mark.parametrize("spelling", SAME_LETTERS.values(), ids=SAME_LETTERS.keys())
def test_a_look_alike_of_a_locked_login_is_locked_too(nurse, spelling):
    for _ in range(5):
        web(REAL, "wrong-password")
    assert web(spelling, PASSWORD).status_code == 429
    assert api(spelling, PASSWORD).status_code == 429


@pytest.mark.parametrize("spelling", SAME_LETTERS.values(), ids=SAME_LETTERS.keys())
def test_wrong_passwords_under_look_alike_spellings_lock_the_real_login(nurse, spelling):
    for _ in range(5):
        web(spelling, "wrong-password")
    assert web(REAL, PASSWORD).status_code == 429


def test_a_look_alike_letter_never_signs_in_to_the_real_account(nurse):
    response = web(DOTLESS_I, PASSWORD)
    assert response.status_code == 200 and b"not correct" in response.content
    assert api(DOTLESS_I, PASSWORD).status_code == 401
    assert EmailAddress.objects.filter(user=nurse).count() == 1


def test_a_look_alike_letter_never_reaches_a_user_by_natural_key(nurse):
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key(DOTLESS_I)
    assert User.objects.get_by_natural_key(SAME_LETTERS["kelvin sign"]) == nurse


@pytest.mark.parametrize("spelling", [*SAME_LETTERS.values(), DOTLESS_I])
def test_signing_in_never_adds_an_email_address_to_the_account(db, spelling, mailoutbox):
    # Unverified, so allauth's verification step runs at sign-in and mails a link.
    user = user_create(email=REAL, password=PASSWORD, verified=False)
    web(spelling, PASSWORD)
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [REAL]
    assert all(message.to == [REAL] for message in mailoutbox)


def test_a_password_reset_goes_only_to_the_accounts_verified_address(client, nurse, mailoutbox):
    web(DOTLESS_I, PASSWORD)
    client.post(reverse("account_reset_password"), {"email": DOTLESS_I})
    assert not any("/accounts/password/reset/key/" in m.body for m in mailoutbox)
    client.post(reverse("account_reset_password"), {"email": "Nurse.Kim@CLINIC.example.com"})
    [message] = [m for m in mailoutbox if "/accounts/password/reset/key/" in m.body]
    assert message.to == [REAL]


def test_no_reset_link_goes_to_an_unverified_look_alike_address(client, nurse, mailoutbox):
    EmailAddress.objects.create(user=nurse, email=DOTLESS_I, verified=False, primary=False)
    client.post(reverse("account_reset_password"), {"email": DOTLESS_I})
    assert not any("/accounts/password/reset/key/" in m.body for m in mailoutbox)


def test_a_recipient_sharing_a_family_email_signs_in_with_their_username(db):
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant

    first = user_create(email="family@example.com", username="family@example.com.covid19vaccine",
                        password=PASSWORD, verified=True)
    second = User.objects.create_user(email="family@example.com", username="Family@Example.com.covid19vaccine2",
                                      password=PASSWORD)
    EmailAddress.objects.create(user=second, email=second.email, verified=False, primary=True)
    for user in (first, second):
        membership_grant(user=user, role=Role.RECIPIENT)
    response = web("FAMILY@example.com.covid19vaccine2", PASSWORD)
    assert response.status_code == 302 and response.url == "/recipient/"
    assert EmailAddress.objects.filter(user=second).count() == 1


def test_the_migration_normalizes_rows_and_deactivates_the_younger_of_two_spellings(db):
    migration = importlib.import_module("cvms.accounts.migrations.0006_normalize_logins")
    from django.apps import apps

    from cvms.core.models import AuditLog

    real = UserFactory(email=REAL)
    User.objects.filter(pk=real.pk).update(username="Nurse.Kim@clinic.example.com",
                                           email="NURSE.kim@clinic.example.com")
    look_alike = UserFactory(email="nur\u017fe.kim@clinic.example.com")
    EmailAddress.objects.create(user=real, email="nurse.\u212aim@clinic.example.com", verified=False)
    migration.normalize_logins(apps, None)
    real.refresh_from_db()
    look_alike.refresh_from_db()
    assert (real.username, real.email, real.is_active) == (REAL, REAL, True)
    assert look_alike.username == "nur\u017fe.kim@clinic.example.com" and not look_alike.is_active
    assert list(EmailAddress.objects.filter(user=real).values_list("email", "verified")) == [(REAL, True)]
    entry = AuditLog.objects.get(action="accounts.user.login_collision")
    assert entry.object_id == str(look_alike.pk) and entry.changes["kept_by"] == real.pk


def _reset_links(mailoutbox):
    return [m for m in mailoutbox if "/accounts/password/reset/key/" in m.body]


def test_a_password_reset_reaches_an_unverified_accounts_own_address_and_verifies_it(client, db, mailoutbox):
    user = user_create(email=REAL, password="someone-elses-pass-41", verified=False)
    client.post(reverse("account_reset_password"), {"email": REAL})
    [message] = _reset_links(mailoutbox)
    assert message.to == [REAL]
    link = next(word for word in message.body.split() if "/accounts/password/reset/key/" in word)
    form = client.get(link, follow=True)
    response = client.post(form.redirect_chain[-1][0], {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert web(REAL, PASSWORD).status_code == 302


def test_an_added_unverified_address_gets_no_reset_link(client, nurse, mailoutbox):
    EmailAddress.objects.create(user=nurse, email="someone.else@example.com", verified=False, primary=False)
    client.post(reverse("account_reset_password"), {"email": "someone.else@example.com"})
    assert not _reset_links(mailoutbox)


def test_a_password_reset_accepts_the_fullwidth_spelling_that_signs_in(client, nurse, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": SAME_LETTERS["fullwidth"]})
    assert response.status_code == 302
    [message] = _reset_links(mailoutbox)
    assert message.to == [REAL]
