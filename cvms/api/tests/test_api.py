from django.urls import reverse


def test_openapi_schema_is_served(client, db):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/locations/{location_id}/" in schema["paths"]


def test_browsable_docs_are_served_without_external_assets(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"cdn." not in response.content


def test_anonymous_api_call_answers_401_with_a_basic_challenge(client, db):
    response = client.get(reverse("api:locations"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert response.json()["detail"]


def test_signed_in_session_still_reaches_the_api(client, provider_a):
    client.force_login(provider_a)
    assert client.get(reverse("api:me")).status_code == 200


def test_locations_are_scoped_to_memberships(client, tenant_a, tenant_b):
    client.force_login(tenant_a.manager)
    names = [row["name"] for row in client.get(reverse("api:locations")).json()]
    assert names == [tenant_a.location.name]
    assert client.get(reverse("api:location", args=[tenant_b.location.pk])).status_code == 404


def test_me_lists_roles(client, tenant_a):
    client.force_login(tenant_a.coordinator)
    body = client.get(reverse("api:me")).json()
    assert body["memberships"][0]["role"] == "vaccine_coordinator"
    assert body["memberships"][0]["provider_pin"] == tenant_a.location.provider_pin


def test_vaccine_products_come_from_reference_data(client, provider_a, reference_data):
    client.force_login(provider_a)
    products = client.get(reverse("api:vaccine-products")).json()
    assert any(p["cvx"] == "217" and "(Gray Cap)" in p["display_name"] for p in products)


def test_wrong_method_is_405(client, provider_a):
    client.force_login(provider_a)
    assert client.post(reverse("api:locations")).status_code == 405


def _basic(username, password):
    import base64

    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_basic_auth_signs_in_with_the_right_password(client, tenant_a, password):
    response = client.get(reverse("api:me"), **_basic(tenant_a.manager.email, password))
    assert response.status_code == 200 and response.json()["email"] == tenant_a.manager.email
