from django.urls import reverse

from cvms.accounts.tests.factories import UserFactory


def _login(client, email, password, ip="10.1.1.1"):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_login_with_email_lands_in_the_role_portal(client, provider_a, password):
    response = _login(client, provider_a.email, password)
    assert response.status_code == 302
    assert response.url == "/provider/"


def test_login_email_is_case_insensitive(client, provider_a, password):
    assert _login(client, provider_a.email.upper(), password).status_code == 302


def test_wrong_password_names_the_problem(client, provider_a):
    response = _login(client, provider_a.email, "wrong")
    assert response.status_code == 200
    assert b"not correct" in response.content


def test_repeated_failures_lock_the_account_not_the_clinic(client, db, password):
    clinic_ip = "203.0.113.7"
    victim = UserFactory(email="nurse1@example.com")
    colleague = UserFactory(email="nurse2@example.com")
    for _ in range(5):
        _login(client, victim.email, "wrong", ip=clinic_ip)
    locked = _login(client, victim.email, password, ip=clinic_ip)
    assert locked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    # A colleague behind the same clinic IP still signs in.
    assert _login(client, colleague.email, password, ip=clinic_ip).status_code == 302


def test_signup_requires_email_verification(client, db, mailoutbox):
    response = client.post(reverse("account_signup"), {
        "email": "newadmin@example.com", "password1": "a-very-long-pass-42", "password2": "a-very-long-pass-42",
    })
    assert response.status_code == 302
    assert "confirm-email" in response.url
    assert len(mailoutbox) == 1 and "newadmin@example.com" in mailoutbox[0].to


def test_password_reset_sends_a_link(client, provider_a, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": provider_a.email})
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
