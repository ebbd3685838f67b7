"""Every id a URL or the API takes from user input answers 400 or 404 when it is not one, never
500: numbers past the database's range, digits that are not ASCII, signs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from cvms.uploads.tests.conftest import rows_csv
from tests.test_cross_tenant import OBJECT_URLS

HUGE = 10**30


@pytest.mark.parametrize("name,params", OBJECT_URLS, ids=[name for name, _params in OBJECT_URLS])
def test_an_id_past_the_database_range_in_a_url_is_not_found(client, tenant_a, state_reviewer, name, params):
    try:
        url = reverse(name, kwargs=dict.fromkeys(params, HUGE))
    except NoReverseMatch:
        pytest.skip("takes no number")
    for user in (tenant_a.manager, tenant_a.org_admin, state_reviewer, tenant_a.recipient_user):
        client.force_login(user)
        for method in (client.get, client.post):
            assert method(url).status_code in (302, 400, 403, 404, 405), (user, method.__name__)


NOT_A_LOCATION = ["²", "①", "9" * 5000, "-1", "+1", "1.5", " ", "NCA00000１", "1e3", str(2**63), "x" * 21]


@pytest.mark.parametrize("location", NOT_A_LOCATION, ids=[ascii(v)[:20] for v in NOT_A_LOCATION])
def test_an_api_upload_location_that_is_no_pin_or_id_is_a_400_naming_the_field(client, tenant_a, location):
    client.force_login(tenant_a.manager)
    response = client.post(reverse("api:recipient-uploads"),
                           {"file": SimpleUploadedFile("staff.csv", rows_csv(2).encode()), "location": location})
    assert response.status_code == 400, response.content[:200]
    assert list(response.json()) == ["location"]


def test_an_api_upload_takes_a_location_id_or_its_pin(client, tenant_a, django_capture_on_commit_callbacks):
    client.force_login(tenant_a.manager)
    for location in (str(tenant_a.location.pk), tenant_a.location.provider_pin.lower()):
        response = client.post(reverse("api:recipient-uploads"),
                               {"file": SimpleUploadedFile("staff.csv", rows_csv(2).encode()), "location": location})
        assert response.status_code == 201, response.json()
