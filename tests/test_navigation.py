"""Each person's navigation shows the portals they can use, and every link in it opens; someone
with no role is told what they can do; each page names the help line meant for its readers."""

import re

import pytest
from django.urls import reverse

from cvms.accounts.selectors import home_url_for

ANONYMOUS = None


def _nav(client) -> list[str]:
    html = client.get(reverse("home")).content.decode()
    nav = re.search(r'data-testid="portal-nav">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'data-portal="([a-z]+)"', nav)


def _actors(request):
    tenant = request.getfixturevalue("tenant_a")
    return {
        "anonymous": (ANONYMOUS, ["enrollment", "recipient", "helpdesk"]),
        "outsider": (request.getfixturevalue("outsider"), ["enrollment", "recipient", "helpdesk"]),
        "org admin": (tenant.org_admin, ["enrollment", "provider", "helpdesk"]),
        "state reviewer": (request.getfixturevalue("state_reviewer"),
                           ["enrollment", "provider", "organization", "helpdesk", "admin"]),
        "location manager": (tenant.manager, ["provider", "helpdesk"]),
        "vaccinator": (tenant.vaccinator, ["provider", "helpdesk"]),
        "front desk": (tenant.front_desk, ["provider", "helpdesk"]),
        "employer": (tenant.employer_coordinator, ["organization", "helpdesk"]),
        "recipient": (tenant.recipient_user, ["recipient", "helpdesk"]),
        "help desk agent": (request.getfixturevalue("agent"), ["helpdesk", "admin"]),
    }


@pytest.mark.parametrize("actor", ["anonymous", "outsider", "org admin", "state reviewer", "location manager",
                                   "vaccinator", "front desk", "employer", "recipient", "help desk agent"])
def test_navigation_shows_each_person_the_portals_they_can_use(client, request, actor):
    user, expected = _actors(request)[actor]
    if user is not None:
        client.force_login(user)
    assert _nav(client) == expected


@pytest.mark.parametrize("actor", ["anonymous", "outsider", "org admin", "state reviewer", "location manager",
                                   "employer", "recipient", "help desk agent"])
def test_no_navigation_link_leads_to_a_refusal(client, request, actor):
    user, _expected = _actors(request)[actor]
    if user is not None:
        client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    nav = re.search(r'data-testid="portal-nav">(.*?)</ul>', html, re.S).group(1)
    for url in re.findall(r'href="([^"]+)"', nav):
        response = client.get(url, follow=user is not None)  # someone with no record is sent to register
        assert response.status_code == 200 or (
            user is None and response.status_code == 302 and response.url.startswith(reverse("account_login"))
        ), f"{actor} got {response.status_code} at {url}"


def test_visitors_see_the_public_entry_points_and_how_to_sign_in(client, db):
    html = client.get(reverse("home")).content.decode()
    cards = re.findall(r'<li class="usa-card[^"]*" data-portal="([a-z]+)"', html)
    assert cards == ["enrollment", "recipient", "helpdesk"]
    assert f'href="{reverse("enrollment:start")}">Start an enrollment<' in html
    assert f'href="{reverse("account_login")}"' in html


def test_someone_with_no_role_lands_on_what_they_can_do(client, outsider):
    assert home_url_for(outsider) == reverse("home")
    client.force_login(outsider)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="getting-started"' in html
    assert f'href="{reverse("enrollment:start")}">Start an enrollment<' in html
    assert f'href="{reverse("helpdesk:home")}">Get help<' in html
    assert f'href="{reverse("recipient_portal:claim")}">Claim your vaccine record<' in html
    assert f'href="{reverse("recipient_portal:register")}">' in html and "(888) 675-4567" in html
    assert 'data-portal="provider"' not in html


def test_a_refused_page_tells_someone_with_no_role_what_they_can_do(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("provider_portal:home"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have access to this page" in html and 'data-testid="getting-started"' in html


def test_a_refused_page_does_not_offer_someone_with_a_role_the_newcomer_steps(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.get(reverse("organization_portal:home"))
    assert response.status_code == 403 and 'data-testid="getting-started"' not in response.content.decode()


def test_someone_with_two_portals_lands_on_a_list_of_those_two(client, tenant_a, state_reviewer):
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant

    membership_grant(user=tenant_a.manager, role=Role.ORG_ADMIN, organization=tenant_a.organization)
    tenant_a.manager._cvms_roles = None
    assert home_url_for(tenant_a.manager) == reverse("home")
    client.force_login(tenant_a.manager)
    html = client.get(reverse("home")).content.decode()
    assert re.findall(r'<li class="usa-card[^"]*" data-portal="([a-z]+)"', html) == ["enrollment", "provider",
                                                                                     "helpdesk"]


def _help_line(html: str) -> str:
    return re.search(r'data-testid="help-line">(.*?)</address>', html, re.S).group(1)


def test_recipient_pages_show_the_recipient_help_center(client, tenant_a, settings):
    settings.CVMS_RECIPIENT_HELP_PHONE = "8886754567"
    client.force_login(tenant_a.recipient_user)
    for url in (reverse("recipient_portal:home"), reverse("home"), reverse("helpdesk:home")):
        help_line = _help_line(client.get(url).content.decode())
        assert "COVID-19 vaccine help center" in help_line and 'href="tel:+18886754567">(888) 675-4567<' in help_line
        assert settings.CVMS_HELPDESK_PHONE not in help_line and "Hours" not in help_line


def test_welcome_link_pages_show_the_recipient_help_center(client, db):
    html = client.get(reverse("recipient_portal:welcome", args=["not-a-token"])).content.decode()
    assert "(888) 675-4567" in _help_line(html) and "(877) 873-6247" not in _help_line(html)


def test_provider_pages_show_the_provider_help_desk_and_its_hours(client, tenant_a, settings):
    client.force_login(tenant_a.manager)
    help_line = _help_line(client.get(reverse("provider_portal:home")).content.decode())
    assert "Provider help desk" in help_line and "(877) 873-6247" in help_line
    assert settings.CVMS_HELPDESK_HOURS in help_line and "(888) 675-4567" not in help_line


def test_staff_without_a_portal_role_are_pointed_to_the_administration_site(admin_client, admin_user):
    assert home_url_for(admin_user) == reverse("admin:index")
    html = admin_client.get(reverse("home")).content.decode()
    assert 'data-portal="admin"' in html and 'data-testid="getting-started"' not in html
