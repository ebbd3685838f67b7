import io

import pytest
from django.core.management import CommandError, call_command

from cvms.reporting.tests.vxu_fixtures import a_dose, field, strictly_valid


def run(*args) -> str:
    out = io.StringIO()
    call_command("hl7_vxu", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def dose(tenant_a, reference_data):
    return a_dose(tenant_a)


def test_the_command_prints_an_immunizations_vxu_one_segment_a_line(dose):
    printed = run("--immunization", str(dose.pk))
    lines = printed.splitlines()
    assert [line[:3] for line in lines] == ["MSH", "PID", "PD1", "ORC", "RXA", "RXR", "OBX", "OBX", "OBX", "OBX"]
    assert "\r" not in printed
    strictly_valid("\r".join(lines))


def test_the_command_prints_the_wire_form_with_carriage_returns(dose):
    printed = run("--immunization", str(dose.pk), "--wire")
    assert printed.count("\r") == 10 and "\n" not in printed
    assert field(printed, "RXA", 21) == "A"


def test_the_command_sends_the_action_asked_for(dose):
    assert field(run("--immunization", str(dose.pk), "--action", "D", "--wire"), "RXA", 21) == "D"


def test_an_unknown_immunization_is_named(db):
    with pytest.raises(CommandError, match="--immunization: there is no immunization 999999"):
        run("--immunization", "999999")


def test_an_immunization_id_that_is_not_a_number_is_refused(db):
    with pytest.raises(CommandError, match="--immunization: invalid int value: 'abc'"):
        run("--immunization", "abc")


def test_a_message_the_schema_refuses_is_a_clear_error_naming_the_dose(dose, settings):
    settings.CVMS_HL7_SENDING_APPLICATION = "A" * 25  # past what HD-1 holds (the settings refuse it at start)
    with pytest.raises(CommandError, match=f"--immunization {dose.pk}: the message cannot be built: Immunization "
                                           f"{dose.pk}: .*exceed the max length: 20"):
        run("--immunization", str(dose.pk))
