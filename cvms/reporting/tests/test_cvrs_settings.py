"""The CVRS settings refuse values they cannot use, at start-up, naming the variable."""

import pytest

from cvms.core.tests.test_settings import _setting, _start


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CVMS_CVRS_EXTRACT_AT", "6am", "CVMS_CVRS_EXTRACT_AT must be a time of day as HH:MM (24-hour)"),
    ("CVMS_CVRS_TYPE", "pprl", "CVMS_CVRS_TYPE"),
    ("CVMS_CVRS_SUBMITTER_CODE", "nc", "CVMS_CVRS_SUBMITTER_CODE must be the three-character submitting entity"),
    ("CVMS_CVRS_RECORDS_PER_FILE", "0", "CVMS_CVRS_RECORDS_PER_FILE must be at least 1, not 0"),
    ("CVMS_CVRS_RECORDS_PER_FILE", "200001", "CVMS_CVRS_RECORDS_PER_FILE must be at most 200000"),
    ("CVMS_CVRS_FOLDER", "../outside", "CVMS_CVRS_FOLDER must be a relative folder name"),
])
def test_a_cvrs_value_the_code_cannot_use_stops_the_start_by_name(name, value, message):
    result = _start(**{name: value})
    assert result.returncode != 0 and message in result.stderr


def test_the_cvrs_beat_time_is_read_from_its_setting():
    schedule = _setting('CELERY_BEAT_SCHEDULE["cvrs-daily-extract"]["schedule"]', CVMS_CVRS_EXTRACT_AT="05:15")
    assert schedule == "<crontab: 15 5 * * * (m/h/dM/MY/d)>"
