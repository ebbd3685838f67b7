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
