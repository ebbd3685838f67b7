import pytest

from cvms.core.tests.test_settings import _start


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CVMS_HL7_SENDING_FACILITY", "NC|CVMS", "CVMS_HL7_SENDING_FACILITY must be 1 to 20 letters, digits"),
    ("CVMS_HL7_RECEIVING_APPLICATION", "N" * 21, "CVMS_HL7_RECEIVING_APPLICATION must be 1 to 20 letters, digits"),
    ("CVMS_HL7_PROCESSING_ID", "X", "CVMS_HL7_PROCESSING_ID must be one of P, T, D, not 'X'"),
    ("CVMS_HL7_MLLP_PORT", "70000", "CVMS_HL7_MLLP_PORT must be at most 65535, not 70000"),
    ("CVMS_HL7_MLLP_TIMEOUT", "0", "CVMS_HL7_MLLP_TIMEOUT must be at least 0.1, not '0'"),
])
def test_a_registry_setting_the_messages_cannot_carry_stops_the_start_by_name(name, value, message):
    result = _start(**{name: value})
    assert result.returncode != 0 and message in result.stderr


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CVMS_HL7_RETRY_BASE_SECONDS", "0", "CVMS_HL7_RETRY_BASE_SECONDS must be at least 1"),
    ("CVMS_HL7_RETRY_MAX_ATTEMPTS", "0", "CVMS_HL7_RETRY_MAX_ATTEMPTS must be at least 1"),
    ("CVMS_HL7_RETRY_MAX_ATTEMPTS", "500", "CVMS_HL7_RETRY_MAX_ATTEMPTS must be at most 50"),
    ("CVMS_HL7_RETRY_GRACE_SECONDS", "5", "CVMS_HL7_RETRY_GRACE_SECONDS must be at least 30"),
])
def test_retry_settings_that_would_send_without_end_or_never_stop_the_start_by_name(name, value, message):
    result = _start(**{name: value})
    assert result.returncode != 0 and message in result.stderr
