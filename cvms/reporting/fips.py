"""County FIPS codes for what is reported (CVRS ``recip_address_county`` / ``admin_address_county``,
HL7 PID-11 and RXA-11): CVMS keeps a county's name, and addfips knows every state's counties. A
county written as its five-digit code is taken as it is; a blank or unknown one has no code (""),
which both formats allow ("required if known")."""

import re

import addfips

_fips = addfips.AddFIPS()
FIPS = re.compile(r"^\d{5}$")


def county_fips(county: str, *, state: str) -> str:
    county, state = county.strip(), state.strip()
    if FIPS.match(county):
        return county
    if not county or not state:
        return ""
    return _fips.get_county_fips(county, state=state) or ""
