"""County FIPS codes for ``recip_address_county`` / ``admin_address_county``: CVMS keeps a county's
name. North Carolina's county codes follow the alphabetical order of its 100 counties (Alamance
37001, Alexander 37003, … Yancey 37199), so they are derived from its list; a county written as its
five-digit code is taken as it is; any other name has no known code (the field is left empty, as
CVRS allows for "required if known")."""

import re

from cvms.organizations.counties import NC_COUNTIES

NC_FIPS = {name.lower(): f"37{2 * index + 1:03d}" for index, name in enumerate(NC_COUNTIES)}
FIPS = re.compile(r"^\d{5}$")


def county_fips(county: str, *, state: str) -> str:
    county = county.strip()
    if FIPS.match(county):
        return county
    name = county.lower().removesuffix(" county")
    if state.upper() == "NC":
        return NC_FIPS.get(name, "")
    return ""
