import pytest
from hl7apy.core import Element

from cvms.demo.seed import seed_demo_everywhere
from cvms.immunizations.choices import Site
from cvms.immunizations.models import Immunization
from cvms.immunizations.services.administer import immunization_edit, immunization_mark_entered_in_error
from cvms.reporting.hl7 import VxuAction, VxuBuildError, hl7_escape, vxu_build, vxu_message
from cvms.reporting.mllp import hl7_unescape
from cvms.reporting.tests.vxu_fixtures import EXPIRES, GIVEN, a_dose, field, segments, strictly_valid


@pytest.fixture
def dose(tenant_a, reference_data):
    return a_dose(tenant_a)


def test_every_demo_immunizations_vxu_passes_strict_validation(reference_data):
    seed_demo_everywhere()
    demo = list(Immunization.objects.select_related("recipient", "lot__product"))
    assert demo
    for dose in demo:
        er7 = vxu_message(dose)
        message = strictly_valid(er7)
        assert message.msh.msh_9.to_er7() == "VXU^V04^VXU_V04"
        assert message.vxu_v04_order.rxa.rxa_15.to_er7() == dose.lot.lot_number
        assert field(er7, "PID", 5).startswith(f"{dose.recipient.last_name}^{dose.recipient.first_name}^")


def test_the_message_carries_the_recipient(dose):
    er7 = vxu_message(dose)
    assert field(er7, "PID", 3) == f"{dose.recipient.pk}^^^NCDHHS-CVMS^MR"
    assert field(er7, "PID", 5) == "Doe^Jane^^^^^L"
    assert field(er7, "PID", 7) == "19800101"
    assert field(er7, "PID", 8) == "F"
    assert field(er7, "PID", 10) == "2106-3^White^CDCREC~2054-5^Black or African American^CDCREC"
    assert field(er7, "PID", 11) == "123 Main St^^Raleigh^NC^27601^USA^L^^37183"  # Wake County's FIPS code
    assert field(er7, "PID", 13).startswith("^PRN^PH^^^919^5551234~^NET^Internet^")
    assert field(er7, "PID", 22) == "2186-5^Not Hispanic or Latino^CDCREC"


def test_the_message_carries_the_product_lot_dose_site_and_route(dose):
    er7 = vxu_message(dose)
    assert field(er7, "ORC", 1) == "RE"
    assert field(er7, "ORC", 3) == f"{dose.pk}^CVMS"
    assert field(er7, "RXA", 3) == field(er7, "RXA", 4) == GIVEN.strftime("%Y%m%d103000%z")  # e.g. -0500
    cvx, cvx_text, cvx_system, ndc, _, ndc_system = field(er7, "RXA", 5).split("^")
    assert (cvx, cvx_system, ndc, ndc_system) == ("217", "CVX", "59267-1025-01", "NDC")
    assert field(er7, "RXA", 6) == "0.3"
    assert field(er7, "RXA", 7) == "mL^mL^UCUM"
    assert field(er7, "RXA", 9) == "00^New immunization record^NIP001"
    assert field(er7, "RXA", 15) == "FK5127"
    assert field(er7, "RXA", 16) == EXPIRES.strftime("%Y%m%d")
    assert field(er7, "RXA", 17) == "PFR^Pfizer, Inc^MVX"
    assert field(er7, "RXA", 20) == "CP"
    assert field(er7, "RXA", 21) == "A"
    assert field(er7, "RXR", 1) == "C28161^Intramuscular^NCIT"
    assert field(er7, "RXR", 2) == "LD^Left Deltoid^HL70163"
    observations = {obx[3].split("^")[0]: obx[5] for obx in segments(er7, "OBX")}
    assert observations["30973-2"] == "1"  # dose number in series
    assert observations["59783-1"] == "N^No^CDCPHINVS"  # the first of two doses does not complete the series
    assert observations["64994-7"] == "V01^Not VFC eligible^HL70064"


def test_the_message_carries_the_administering_location_and_its_organization(dose, tenant_a):
    er7 = vxu_message(dose)
    facility, *address = field(er7, "RXA", 11).split("^")[3:]  # LA2: facility is 4, the address 9 to 16
    assert facility == "Clinic A1&654321"  # the location's name and VTrckS PIN
    assert address == ["", "", "", "", "100 Hillsborough St", "", "Raleigh", "NC", "27601", "USA", "", "37183"]
    assert field(er7, "RXA", 10).startswith(f"{tenant_a.vaccinator.pk}^{tenant_a.vaccinator.last_name}^")
    assert field(er7, "MSH", 22).split("^")[0] == tenant_a.organization.name
    assert field(er7, "MSH", 21) == "Z22^CDCPHINVS"


def test_delimiters_in_a_name_and_an_address_are_escaped(dose):
    recipient = dose.recipient
    recipient.last_name, recipient.first_name = "O|Br^ien~x\\y&z", "Ann-Marie\\F\\"
    recipient.address_line1 = "12 Oak & Elm | Apt ^3"
    recipient.save(update_fields=["last_name", "first_name", "address_line1"])
    er7 = vxu_message(dose)
    assert field(er7, "PID", 5) == r"O\F\Br\S\ien\R\x\E\y\T\z^Ann-Marie\E\F\E\^^^^^L"
    family, given = field(er7, "PID", 5).split("^")[:2]
    assert (hl7_unescape(family), hl7_unescape(given)) == ("O|Br^ien~x\\y&z", "Ann-Marie\\F\\")
    assert hl7_unescape(field(er7, "PID", 11).split("^")[0]) == "12 Oak & Elm | Apt ^3"
    assert len(segments(er7, "PID")[0]) == 23  # no field was split
    strictly_valid(er7)


def test_a_long_name_is_cut_to_what_the_schema_holds_never_inside_an_escape():
    assert hl7_escape("ab|cd", limit=4) == "ab"
    assert hl7_escape("ab|cd", limit=5) == "ab\\F\\"
    assert hl7_escape("line one\r\nline two\ttab") == "line one line two tab"


def test_a_record_entered_in_error_is_sent_as_a_deletion(dose, tenant_a):
    immunization_mark_entered_in_error(immunization=dose, actor=tenant_a.manager, reason="wrong recipient")
    er7 = vxu_message(dose)
    assert field(er7, "RXA", 21) == "D"
    assert field(er7, "ORC", 3) == f"{dose.pk}^CVMS"  # the same dose the registry holds
    strictly_valid(er7)


def test_a_corrected_record_is_sent_as_an_update(dose, tenant_a):
    assert field(vxu_message(dose), "RXA", 21) == "A"
    immunization_edit(immunization=dose, actor=tenant_a.manager, site=Site.RIGHT_DELTOID, confirmed=True)
    er7 = vxu_message(dose)
    assert field(er7, "RXA", 21) == "U"
    assert field(er7, "RXR", 2) == "RD^Right Deltoid^HL70163"


def test_the_action_the_sender_names_is_the_one_sent(dose):
    assert field(vxu_message(dose, action=VxuAction.UPDATE), "RXA", 21) == "U"


def test_each_message_has_a_control_id_of_its_own(dose):
    first, second = vxu_message(dose), vxu_message(dose)
    assert field(first, "MSH", 10) != field(second, "MSH", 10)
    assert field(vxu_message(dose, control_id="RESEND-7"), "MSH", 10) == "RESEND-7"


def test_sending_and_receiving_names_and_processing_id_come_from_the_settings(dose, settings):
    assert [field(vxu_message(dose), "MSH", n) for n in (3, 4, 5, 6, 11)] == ["CVMS", "NCDHHS-CVMS", "NCIR",
                                                                                "NCDHHS", "T"]
    settings.CVMS_HL7_SENDING_APPLICATION, settings.CVMS_HL7_RECEIVING_FACILITY = "VAXAPP", "STATEIIS"
    settings.CVMS_HL7_PROCESSING_ID = "P"
    er7 = vxu_message(dose)
    assert [field(er7, "MSH", n) for n in (3, 6, 11)] == ["VAXAPP", "STATEIIS", "P"]
    assert field(er7, "ORC", 3) == f"{dose.pk}^VAXAPP"


def test_a_recipient_known_by_name_and_birth_date_alone_sends_only_that(dose):
    recipient = dose.recipient
    recipient.race, recipient.ethnicity, recipient.sex = ["UNK"], "POL", "U"
    recipient.address_line1 = recipient.city = recipient.zip_code = recipient.phone = recipient.email = ""
    recipient.save()
    dose.location.address_line1 = dose.location.city = dose.location.zip_code = ""
    dose.location.save(update_fields=["address_line1", "city", "zip_code"])
    er7 = vxu_message(dose)
    assert [field(er7, "PID", n) for n in (8, 10, 11, 13, 22)] == ["U", "", "", "", ""]
    assert field(er7, "RXA", 11) == "^^^Clinic A1&654321"
    strictly_valid(er7)


def test_a_location_name_with_a_delimiter_stays_in_its_subcomponent(dose):
    dose.location.name = "Smith & Jones ^ Care"
    dose.location.save(update_fields=["name"])
    facility = field(vxu_message(dose), "RXA", 11).split("^")[3]
    assert facility == "Smith \\T\\ Jones \\S\\ &654321"  # the name cut to HD-1's 20 characters, escaped
    assert hl7_unescape(facility.split("&")[0]) == "Smith & Jones ^ "


def test_a_message_of_a_shape_already_validated_is_built_without_hl7apy_elements(dose, monkeypatch):
    """Strict validation in full costs tens of milliseconds; a shape it passed once is not run again."""
    vxu_message(dose)
    created = []
    original = Element.__init__

    def counted(self, *args, **kwargs):
        created.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Element, "__init__", counted)
    er7 = vxu_message(dose, control_id="SECOND")
    assert created == []
    assert field(er7, "MSH", 10) == "SECOND"
    strictly_valid(er7)


def test_a_value_the_schema_refuses_is_refused_in_a_shape_already_validated(dose, settings):
    vxu_message(dose)
    settings.CVMS_HL7_SENDING_FACILITY = "F" * 21  # HD-1 (IS) holds 20
    with pytest.raises(VxuBuildError, match=rf"Immunization {dose.pk}: MSH-4.1: .*exceed the max length: 20"):
        vxu_message(dose)


def test_the_message_built_is_the_one_hl7apy_validates_strictly(dose):
    er7 = vxu_message(dose, control_id="SAME")
    message = vxu_build(dose, control_id="SAME")
    assert message.to_er7() == "|".join(er7.partition("\r")[0].split("|")[:21]) + "\r" + er7.partition("\r")[2]


def test_a_message_reads_its_dose_in_one_query_and_whether_it_was_corrected_in_another(dose,
                                                                                       django_assert_num_queries):
    vxu_message(dose)  # what is read once a process (content types) read
    with django_assert_num_queries(2):  # only the columns the message is made of: none read later, one by one
        vxu_message(dose)
