from django.urls import reverse


def test_org_admin_sees_own_organization(client, tenant_a, tenant_b):
    client.force_login(tenant_a.org_admin)
    response = client.get(reverse("enrollment:home"))
    assert response.status_code == 200
    assert list(response.context["organizations"]) == [tenant_a.organization]


def test_organization_page_lists_locations_and_storage(client, tenant_a):
    client.force_login(tenant_a.org_admin)
    response = client.get(reverse("enrollment:organization", args=[tenant_a.organization.pk]))
    assert response.status_code == 200
    assert tenant_a.location.name in response.content.decode()


def test_state_staff_see_every_organization(client, tenant_a, tenant_b, state_reviewer):
    client.force_login(state_reviewer)
    assert client.get(reverse("enrollment:organization", args=[tenant_b.organization.pk])).status_code == 200
    names = {o.name for o in client.get(reverse("enrollment:home")).context["organizations"]}
    assert {tenant_a.organization.name, tenant_b.organization.name} <= names


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(reverse("enrollment:home")).status_code == 302


def test_wrong_method_is_405(client, tenant_a):
    client.force_login(tenant_a.org_admin)
    assert client.post(reverse("enrollment:home")).status_code == 405


def test_admin_of_another_organization_gets_404(client, tenant_a, tenant_b):
    client.force_login(tenant_b.org_admin)
    assert client.get(reverse("enrollment:organization", args=[tenant_a.organization.pk])).status_code == 404


def test_providers_without_admin_role_get_403(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(reverse("enrollment:home")).status_code == 403
