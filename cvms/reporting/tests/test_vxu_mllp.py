"""The MLLP client against a real listener on loopback, started by each test in a thread."""

import time

import pytest

from conftest import free_port
from cvms.reporting.hl7 import vxu_message
from cvms.reporting.mllp import END, START, AckCode, MllpFailure, mllp_send
from cvms.reporting.tests.mllp_fixtures import SILENT, ack, control_id_of
from cvms.reporting.tests.vxu_fixtures import a_dose, field

MESSAGE = "MSH|^~\\&|CVMS|NCDHHS-CVMS|NCIR|NCDHHS|20210315103000-0500||VXU^V04^VXU_V04|CTRL-1|T|2.5.1\rPID|1"


def test_a_vxu_the_registry_accepts_comes_back_accepted(registry, tenant_a, reference_data):
    message = vxu_message(a_dose(tenant_a))
    server = registry(lambda frame: ack(control_id_of(frame)))
    result = mllp_send(message, host="127.0.0.1", port=server.port, timeout=5)
    assert (result.ack_code, result.accepted, result.error, result.text) == (AckCode.ACCEPTED, True, "", "")
    assert server.received == [START + message.encode() + END]  # one frame: 0x0B, the message, 0x1C 0x0D
    assert "MSA|AA|" + field(message, "MSH", 10) in result.ack


def test_an_answer_with_errors_gives_the_registrys_own_words(registry):
    server = registry(lambda frame: ack(control_id_of(frame), "AE",
                                        "ERR||PID^1^7|101^Required field missing^HL70357|E||||Birth date \\T\\ sex "
                                        "are required",
                                        "ERR||RXA^1^17|103^Table value not found^HL70357|W"))
    result = mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=5)
    assert (result.ack_code, result.accepted, result.error) == (AckCode.ERROR, False, "")
    assert result.text == "Birth date & sex are required; Table value not found"


def test_a_rejection_without_err_segments_gives_the_text_of_msa_3(registry):
    server = registry(lambda frame: ack(f"{control_id_of(frame)}|Unknown sending facility", "AR"))
    result = mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=5)
    assert (result.ack_code, result.text, result.error) == (AckCode.REJECTED, "Unknown sending facility", "")


def test_an_acknowledgement_sent_in_pieces_is_read_whole(registry):
    def answer(frame):
        whole = ack(control_id_of(frame))
        return [whole[:7], whole[7:60], whole[60:]]

    server = registry(answer)
    assert mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=5).accepted


def test_a_connection_the_registry_drops_is_a_clear_failure(registry):
    server = registry(lambda frame: None)
    started = time.monotonic()
    result = mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=5)
    assert (result.error, result.ack_code, result.accepted) == (MllpFailure.DROPPED, "", False)
    assert result.error_text == "The registry closed the connection before it answered."
    assert time.monotonic() - started < 4
    assert len(server.received) == 1


def test_a_connection_dropped_halfway_through_the_answer_is_a_clear_failure(registry):
    server = registry(lambda frame: [ack(control_id_of(frame))[:30]])
    result = mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=5)
    assert result.error == MllpFailure.DROPPED


def test_a_registry_that_never_answers_times_out_instead_of_hanging(registry):
    server = registry(lambda frame: SILENT)
    started = time.monotonic()
    result = mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=0.5)
    assert (result.error, result.accepted) == (MllpFailure.TIMEOUT, False)
    assert result.error_text == "The registry did not answer in time."
    assert 0.4 < time.monotonic() - started < 3


def test_a_registry_nobody_listens_for_is_unreachable():
    result = mllp_send(MESSAGE, host="127.0.0.1", port=free_port(), timeout=2)
    assert result.error == MllpFailure.UNREACHABLE
    assert "127.0.0.1" in result.detail


def test_nothing_is_sent_without_a_registry_address(settings):
    settings.CVMS_HL7_MLLP_HOST = ""
    assert mllp_send(MESSAGE).error == MllpFailure.NOT_CONFIGURED


def test_the_address_and_timeout_come_from_the_settings(registry, settings):
    server = registry(lambda frame: ack(control_id_of(frame)))
    settings.CVMS_HL7_MLLP_HOST, settings.CVMS_HL7_MLLP_PORT, settings.CVMS_HL7_MLLP_TIMEOUT = (
        "127.0.0.1", server.port, 5)
    assert mllp_send(MESSAGE).accepted


def test_an_acknowledgement_of_another_message_is_not_taken_for_this_one(registry):
    server = registry(lambda frame: ack("CTRL-OTHER"))
    result = mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=5)
    assert (result.error, result.accepted) == (MllpFailure.OTHER_MESSAGE, False)
    assert "CTRL-OTHER" in result.detail


@pytest.mark.parametrize("answer", [START + b"HTTP/1.1 400 Bad Request" + END,
                                    START + b"MSH|^~\\&|NCIR|||||||ACK|1|P|2.5.1\rMSA|XX|CTRL-1" + END])
def test_an_answer_that_is_no_acknowledgement_is_unreadable(registry, answer):
    server = registry(lambda frame: answer)
    result = mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=5)
    assert (result.error, result.accepted) == (MllpFailure.UNREADABLE, False)


def test_an_endless_answer_is_cut_off(registry, monkeypatch):
    monkeypatch.setattr("cvms.reporting.mllp.MAX_ANSWER_BYTES", 1000)
    server = registry(lambda frame: [START + b"x" * 600, b"x" * 600, b"x" * 600])
    result = mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=5)
    assert result.error == MllpFailure.UNREADABLE


def test_a_connect_that_hangs_times_out(monkeypatch):
    def hang(address, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr("cvms.reporting.mllp.socket.create_connection", hang)
    assert mllp_send(MESSAGE, host="192.0.2.1", port=2575, timeout=0.2).error == MllpFailure.TIMEOUT


def test_a_commit_rejection_is_read_and_not_taken_for_acceptance(registry):
    server = registry(lambda frame: ack(f"{control_id_of(frame)}|Unsupported message type", "CR"))
    result = mllp_send(MESSAGE, host="127.0.0.1", port=server.port, timeout=5)
    assert (result.ack_code, result.text, result.error, result.accepted) == (
        AckCode.COMMIT_REJECTED, "Unsupported message type", "", False)
