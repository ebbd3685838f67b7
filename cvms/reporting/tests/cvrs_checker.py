"""A CVRS file checker written from the specification (CDC CVRS v2/v3 instructions and value sets),
independent of the code that writes the files: header, field count and order, formats, value sets."""

import re

HEADER = (
    "vax_event_id ext_type pprl_id recip_id recip_first_name recip_middle_name recip_last_name recip_dob recip_sex "
    "recip_address_street recip_address_street_2 recip_address_city recip_address_county recip_address_state "
    "recip_address_zip recip_race_1 recip_race_2 recip_race_3 recip_race_4 recip_race_5 recip_race_6 "
    "recip_ethnicity admin_date cvx ndc mvx lot_number vax_expiration vax_admin_site vax_route dose_num "
    "vax_series_complete responsible_org admin_name vtrcks_prov_pin admin_type admin_address_street "
    "admin_address_street_2 admin_address_city admin_address_county admin_address_state admin_address_zip "
    "vax_refusal cmorbid_status serology"
).split()

RACES = {"1002-5", "2028-9", "2076-8", "2054-5", "2106-3", "2131-1", "UNK", "POL"}
VALUE_SETS = {
    "ext_type": {"D", "I", "P"},
    "recip_sex": {"M", "F", "U"},
    "recip_race_1": RACES,
    "recip_ethnicity": {"2135-2", "2186-5", "UNK", "POL"},
    "vax_admin_site": {"LT", "LA", "LD", "LG", "LVL", "LLFA", "RT", "RA", "RD", "RG", "RVL", "RLFA"},
    "vax_route": {"C38238", "C28161", "C38284", "C38276", "C38288", "C38676", "C38299", "C38305"},
    "dose_num": {"1", "2", "3", "4", "5", "6", "INV", "UNK"},
    "vax_series_complete": {"YES", "NO", "UNK"},
    "admin_type": {str(n) for n in range(1, 29)} | {"UNK"},
    "vax_refusal": {"NO"},
    "cmorbid_status": {"YES", "NO", "UNK"},
    "serology": {"YES", "NO", "UNK"},
    "cvx": {"207", "208", "210", "211", "212", "213", "217", "218", "219", "221", "225", "227", "228", "229", "230",
            "300", "301"},
    "mvx": {"PFR", "MOD", "JSN", "NVX"},
}
DAY = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
PATTERNS = {
    "vax_event_id": r"\S+", "recip_id": r"\S+", "recip_dob": DAY, "admin_date": DAY, "vax_expiration": DAY,
    "ndc": r"\d{5}-\d{4}-\d{2}", "lot_number": r"\S.*", "responsible_org": r"\S.*", "admin_name": r"\S.*",
    "recip_address_zip": r"(\d{5}(-\d{4})?)?", "admin_address_zip": r"(\d{5}(-\d{4})?)?",
    "recip_address_county": r"(\d{5})?", "admin_address_county": r"(\d{5})?", "vtrcks_prov_pin": r"(\d{6})?",
    "recip_address_state": r"([A-Z]{2})?", "admin_address_state": r"([A-Z]{2})?",
    **{f"recip_race_{n}": r"(1002-5|2028-9|2076-8|2054-5|2106-3|2131-1)?" for n in range(2, 7)},
}
REDACTED = ("recip_first_name", "recip_middle_name", "recip_last_name", "recip_address_street",
            "recip_address_street_2", "recip_address_city")


def check_cvrs_file(content: bytes) -> list[dict[str, str]]:
    """The records of a CVRS file, after asserting it meets the specification."""
    text = content.decode("utf-8")
    assert text.endswith("\n") and "\r" not in text
    lines = text[:-1].split("\n")
    assert lines[0].split("\t") == HEADER
    records = []
    for number, line in enumerate(lines[1:], start=2):
        values = line.split("\t")
        assert len(values) == 45, f"line {number}: {len(values)} fields"
        record = dict(zip(HEADER, values, strict=True))
        for field, allowed in VALUE_SETS.items():
            assert record[field] in allowed, f"line {number}: {field} {record[field]!r}"
        for field, pattern in PATTERNS.items():
            assert re.fullmatch(pattern, record[field]), f"line {number}: {field} {record[field]!r}"
        assert record["pprl_id"] == ""
        if record["ext_type"] == "D":
            assert all(record[field] == "Redacted" for field in REDACTED), f"line {number}: not redacted"
        records.append(record)
    return records
