"""The Recipient Bulk Upload User Guide's table of failed rows, line by line."""

import datetime
from pathlib import Path

import pytest

from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory
from cvms.uploads.models import UploadChannel, UploadStatus
from cvms.uploads.services.intake import upload_confirm
from cvms.uploads.services.processing import upload_process
from cvms.uploads.tests.conftest import csv_file

GUIDE = Path(__file__).parent / "fixtures" / "guide_failed_rows.csv"

#: The guide's messages, as CVMS words them.
GUIDE_MESSAGES = {
    2: "Line 2: Required fields are missing: [LastName]",
    3: "Line 3: Duplicate: a recipient with the same first name, last name and date of birth already exists",
    4: "Line 4: Required fields are missing: [Date of birth]",
    5: "Line 5: Email: invalid email address: bademail",
    6: "Line 6: Required fields are missing: [Email]",
    # The guide prints "Line 8" for this row, but it sits on line 7.
    7: "Line 7: Email: invalid email address: Nicholas.NoEmail@",
    8: "Line 8: Date of birth: invalid Date of birth: 12/8/19555",
}


@pytest.fixture
def existing_recipient(db):
    return RecipientFactory(first_name="Nicholas", last_name="TestLoadE2Recip3",
                            date_of_birth=datetime.date(1955, 12, 3))


#: The guide's rows verbatim: its test names carry digits, which CVMS also refuses in a legal
#: name, so each line reports that too, after the guide's own problem.
VERBATIM = {
    2: "Line 2: Required fields are missing: [LastName]",
    3: "Line 3: LastName: invalid characters: TestLoadE2Recip3; " + GUIDE_MESSAGES[3].removeprefix("Line 3: "),
    4: "Line 4: Required fields are missing: [Date of birth]; LastName: invalid characters: TestLoadE2Recip4",
    5: "Line 5: LastName: invalid characters: TestLoadE2Recip5; Email: invalid email address: bademail",
    6: "Line 6: Required fields are missing: [Email]; LastName: invalid characters: TestLoadE2Recip6",
    7: "Line 7: LastName: invalid characters: TestLoadE2Recip7; Email: invalid email address: Nicholas.NoEmail@",
    8: "Line 8: LastName: invalid characters: TestLoadE2Recip8; Date of birth: invalid Date of birth: 12/8/19555",
}

DIGIT_WORDS = {"2": "Two", "3": "Three", "4": "Four", "5": "Five", "6": "Six", "7": "Seven", "8": "Eight"}


def _spell_names(text: str) -> str:
    lines = []
    for line in text.splitlines():
        cells = line.split(",")
        if cells[1].startswith("TestLoadE2Recip"):
            cells[1] = "TestLoadRecip" + DIGIT_WORDS[cells[1][-1]]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def _run(make_upload, text, channel):
    upload = make_upload(csv_file(text, "guide.csv"), channel=channel)
    if channel == UploadChannel.LOW_VOLUME:
        return upload_confirm(upload=upload, actor=None)
    return upload_process(upload_id=upload.pk)


@pytest.mark.parametrize("channel", [UploadChannel.LOW_VOLUME, UploadChannel.HIGH_VOLUME])
def test_guide_table_with_letter_names_fails_each_line_with_the_guides_message(make_upload, channel):
    RecipientFactory(first_name="Nicholas", last_name="TestLoadRecipThree", date_of_birth=datetime.date(1955, 12, 3))
    before = Recipient.objects.count()
    upload = _run(make_upload, _spell_names(GUIDE.read_text()), channel)
    assert upload.status == UploadStatus.COMPLETED
    assert (upload.total_rows, upload.created_count, upload.failed_count) == (7, 0, 7)
    expected = {line: message.replace("TestLoadE2Recip", "TestLoadRecip") for line, message in GUIDE_MESSAGES.items()}
    assert {e.line: e.message for e in upload.errors.all()} == expected
    assert Recipient.objects.count() == before


def test_guide_table_verbatim_reports_the_guides_problem_on_each_line(make_upload, existing_recipient):
    upload = _run(make_upload, GUIDE.read_text(), UploadChannel.HIGH_VOLUME)
    messages = {e.line: e.message for e in upload.errors.all()}
    assert messages == VERBATIM
    for line, guide_message in GUIDE_MESSAGES.items():
        assert guide_message.removeprefix(f"Line {line}: ") in messages[line]
