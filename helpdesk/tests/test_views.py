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


def test_tiles_link_to_the_pages_other_parts_of_the_help_desk_serve_once_they_exist(client, db, monkeypatch):
    """Until a page exists its tile shows no link to it (and the home still works); once its URL name
    resolves, the tile links there and the knowledge base search box appears."""
    from django.urls import NoReverseMatch
    from django.urls import reverse as real_reverse

    served = {"helpdesk:provider_new": "/helpdesk/provider/new/", "helpdesk:kb_search": "/helpdesk/kb/",
              "helpdesk:recipient_new": "/helpdesk/recipient/new/", "helpdesk:onboarding": "/helpdesk/onboarding/"}

    def reverse_with_future_pages(viewname, *args, **kwargs):
        if viewname in served:
            return served[viewname]
        return real_reverse(viewname, *args, **kwargs)

    body = client.get(reverse("helpdesk:home")).content.decode()
    assert 'data-testid="kb-search"' not in body and "/helpdesk/recipient/new/" not in body
    try:
        real_reverse("helpdesk:kb_search")
    except NoReverseMatch:
        monkeypatch.setattr("django.urls.reverse", reverse_with_future_pages)  # as {% url %} finds it
    body = client.get(reverse("helpdesk:home")).content.decode()
    assert 'action="/helpdesk/kb/"' in body and 'href="/helpdesk/recipient/new/"' in body
    assert "/helpdesk/onboarding/" in body
