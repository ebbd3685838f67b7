"""One county code for both reports: a county's name in any state, its code as written, or nothing."""

import pytest

from cvms.reporting.fips import county_fips


@pytest.mark.parametrize(("county", "state", "code"), [
    ("Wake", "NC", "37183"), ("Wake County", "NC", "37183"), ("alamance", "NC", "37001"),
    ("Yancey", "NC", "37199"), ("Los Angeles", "CA", "06037"), ("37063", "NC", "37063"),
    ("Nowhere", "NC", ""), ("", "NC", ""), ("Wake", "", ""),
])
def test_a_county_is_reported_by_its_fips_code(county, state, code):
    assert county_fips(county, state=state) == code
