"""Phone numbers are stored as digits only (the database checks it)."""

import re


def digits_only(value: str) -> str:
    return re.sub(r"[^0-9]", "", value or "")
