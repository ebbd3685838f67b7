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
