"""Demo data passes every rule real data passes: the upload's row check, the models' own
validation (fields, constraints, uniqueness) and the services' rules."""

import pytest
from django.utils import timezone

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import User
from cvms.core.validators import is_mail_address
from cvms.demo.seed import seed_demo_everywhere
from cvms.organizations.models import Location, Organization, StorageUnit
from cvms.recipients.models import Recipient
from cvms.uploads.parsing import SourceRow
from cvms.uploads.validation import check_row


@pytest.fixture
def demo(reference_data):
    seed_demo_everywhere()


def _row(recipient: Recipient) -> SourceRow:
    cells = [recipient.first_name, recipient.last_name, recipient.date_of_birth.strftime("%m/%d/%Y"),
             recipient.email, recipient.get_preferred_language_display()]
    return SourceRow(line=2, values=cells, fields=tuple(cells))


def test_every_demo_recipient_passes_the_upload_row_check(demo):
    failures = {str(r): check_row(_row(r), today=timezone.localdate())[1] for r in Recipient.objects.all()}
    assert Recipient.objects.count() > 20
    assert {name: problems for name, problems in failures.items() if problems} == {}


@pytest.mark.parametrize("model", [Organization, Location, StorageUnit, Recipient, User])
def test_every_demo_record_passes_its_model_validation(demo, model):
    errors = {}
    for record in model.objects.all():
        try:
            record.full_clean()
        except Exception as problem:  # noqa: BLE001 (every record's problem is collected and shown)
            errors[str(record)] = problem
    assert model.objects.exists() and errors == {}


def test_every_demo_login_and_address_passes_the_sign_in_and_mail_rules(demo):
    for user in User.objects.all():
        assert user.username == normalize_login(user.username) and is_mail_address(user.email), user
    assert all(is_mail_address(email) for email in Recipient.objects.values_list("email", flat=True))


def test_demo_locations_carry_what_approval_gives(demo):
    for location in Location.objects.all():
        assert location.is_active and location.provider_pin and location.storage_units.exists(), location
