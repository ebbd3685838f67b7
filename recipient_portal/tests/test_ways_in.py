"""Ways in: the sign-in page and the site home show what a person can do without an account (claim
a record, register or learn how to get vaccinated, find a vaccine, verify a card); someone signed up
with no role yet sees the Recipient Portal and how to register or claim; the portal's pages link to
each other."""

import re

import pytest
from django.urls import reverse

from cvms.accounts.tests.factories import UserFactory

CLAIM, REGISTER, FIND, VERIFY = (reverse(f"recipient_portal:{name}") for name in ("claim", "register", "find",
                                                                                     "verify"))


def _links(html: str) -> dict[str, str]:
    """The ways in a page shows, label by address."""
    found = {}
    for block in re.findall(r'data-testid="ways-in" data-portal="recipient">(.*?)</ul>', html, re.S):
        found.update({url: label for url, label in re.findall(r'<a class="usa-link" href="([^"]+)">([^<]+)</a>',
                                                               block)})
    return found


@pytest.mark.parametrize("page", ["account_login", "home"])
def test_a_visitor_sees_every_way_in_without_an_account(client, db, settings, page):
    settings.CVMS_SELF_REGISTRATION = True
    links = _links(client.get(reverse(page)).content.decode())
    assert links == {CLAIM: "Claim your vaccine record", REGISTER: "Register for a COVID-19 vaccine",
                     FIND: "Find a vaccine near you", VERIFY: "Verify a vaccination card"}


@pytest.mark.parametrize("page", ["account_login", "home"])
def test_while_self_registration_is_off_the_register_link_says_how_to_get_vaccinated(client, db, settings, page):
    settings.CVMS_SELF_REGISTRATION = False
    assert _links(client.get(reverse(page)).content.decode())[REGISTER] == "How to get vaccinated"


def test_every_way_in_opens_for_a_visitor(client, db, settings):
    settings.CVMS_SELF_REGISTRATION = True
    for url in _links(client.get(reverse("account_login")).content.decode()):
        assert client.get(url).status_code == 200, url


def test_someone_just_signed_up_sees_the_recipient_portal_and_how_to_register_or_claim(client, db, settings):
    settings.CVMS_SELF_REGISTRATION = True
    client.force_login(UserFactory(email="new.person@example.com"))
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="getting-started"' in html and 'data-portal="recipient"' in html
    links = _links(html)
    assert links[REGISTER] == "Register for a COVID-19 vaccine" and CLAIM in links
    assert ">Sign in to the Recipient Portal<" not in html  # signed in already


def test_a_recipient_with_a_record_sees_their_portal_not_the_ways_in(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    assert _links(client.get(reverse("home")).content.decode()) == {}


PORTAL_PAGES = ["home", "appointments", "group_questions", "preferences"]


def _nav(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'data-testid="recipient-nav">(.*?)</nav>', html, re.S)
    assert nav, "the page has no portal navigation"
    return re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_each_portal_page_links_to_the_others_and_marks_itself(client, tenant_a, name):
    client.force_login(tenant_a.recipient_user)
    html = client.get(reverse(f"recipient_portal:{name}")).content.decode()
    home = reverse("recipient_portal:home")
    assert _nav(html) == [(home, "My record"), (reverse("recipient_portal:appointments"), "Appointments"),
                          (reverse("recipient_portal:group"), "My group"),
                          (reverse("recipient_portal:preferences"), "Preferences"),
                          (f"{home}#health-card", "Health card")]
    nav = re.search(r'data-testid="recipient-nav">(.*?)</nav>', html, re.S).group(1)
    assert nav.count('aria-current="page"') == 1


def test_every_portal_link_opens_for_the_recipient(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    html = client.get(reverse("recipient_portal:home")).content.decode()
    for url, _label in _nav(html):
        assert client.get(url, follow=True).status_code == 200, url
    assert 'id="health-card"' in html


@pytest.mark.parametrize("who", ["visitor", "provider"])
def test_the_portal_navigation_is_only_for_recipients(client, tenant_a, who):
    if who == "provider":
        client.force_login(tenant_a.manager)
    assert 'data-testid="recipient-nav"' not in client.get(FIND).content.decode()
