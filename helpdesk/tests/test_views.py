from django.urls import reverse


def test_anyone_can_read_how_to_get_help_with_configured_codes(client, db, settings):
    settings.CVMS_GENERIC_HELPDESK_CODE = "HELP2026"
    response = client.get(reverse("helpdesk:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "HELP2026" in body and "(877) 873-6247" in body
    assert "agent-tools" not in body


def test_agents_get_their_work_links(client, agent):
    client.force_login(agent)
    assert 'data-testid="agent-tools"' in client.get(reverse("helpdesk:home")).content.decode()


def test_providers_do_not_get_agent_tools(client, tenant_b):
    client.force_login(tenant_b.manager)
    assert "agent-tools" not in client.get(reverse("helpdesk:home")).content.decode()


def test_wrong_method_is_405(client, db):
    assert client.post(reverse("helpdesk:home")).status_code == 405


def test_the_home_shows_the_three_tiles_and_a_visitor_may_register(client, db):
    body = client.get(reverse("helpdesk:home")).content.decode()
    for tile in ("provider", "recipient", "onboarding"):
        assert f'data-tile="{tile}"' in body
    for name in ("Vaccine Provider", "Vaccine Recipient", "HCP Onboarding & Recipient Bulk Upload"):
        assert name in body
    assert reverse("helpdesk:register") in body


def test_tiles_link_to_the_help_desks_pages(client, tenant_a):
    """The tiles link to the pages that serve them: the knowledge base search, Get Help (signed in),
    the public recipient form; a tile whose page does not exist shows no link, and the home works."""
    from django.urls import NoReverseMatch

    body = client.get(reverse("helpdesk:home")).content.decode()
    assert 'data-testid="kb-search"' in body and 'action="/helpdesk/kb/"' in body
    assert 'href="/helpdesk/recipient/new/"' in body and "/helpdesk/register/" in body
    client.force_login(tenant_a.manager)
    body = client.get(reverse("helpdesk:home")).content.decode()
    assert 'href="/helpdesk/provider/new/"' in body
    try:
        onboarding = reverse("helpdesk:onboarding")
    except NoReverseMatch:
        assert "/helpdesk/onboarding/" not in body
    else:
        assert f'href="{onboarding}"' in body
