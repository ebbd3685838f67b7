from django.urls import reverse


def test_employer_sees_own_organization_and_employee_count(client, tenant_a):
    client.force_login(tenant_a.employer_coordinator)
    response = client.get(reverse("organization_portal:home"))
    assert response.status_code == 200
    [org] = response.context["organizations"]
    assert org == tenant_a.employer and org.employee_count == 1


def test_an_employers_page_is_its_employee_list_without_dates_of_birth(client, tenant_a):
    client.force_login(tenant_a.employer_coordinator)
    response = client.get(reverse("organization_portal:organization", args=[tenant_a.employer.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("organization_portal:employees", args=[tenant_a.employer.pk])
    page = response.content.decode()
    assert tenant_a.recipient.last_name in page
    assert tenant_a.recipient.date_of_birth.strftime("%m/%d/%Y") not in page


def test_a_health_departments_page_is_the_list_of_employers_it_invited(client, lhd_wake):
    client.force_login(lhd_wake)
    department = lhd_wake.memberships.get().organization
    response = client.get(reverse("organization_portal:organization", args=[department.pk]))
    assert response.status_code == 302 and response.url == reverse("organization_portal:invited")


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(reverse("organization_portal:home")).status_code == 302


def test_wrong_method_is_405(client, tenant_a):
    client.force_login(tenant_a.employer_coordinator)
    assert client.post(reverse("organization_portal:home")).status_code == 405


def test_employer_of_another_tenant_gets_404(client, tenant_a, tenant_b):
    client.force_login(tenant_b.employer_coordinator)
    assert client.get(reverse("organization_portal:organization", args=[tenant_a.employer.pk])).status_code == 404


def test_providers_get_403(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(reverse("organization_portal:home")).status_code == 403
