"""Demo data passes every rule real data passes: the upload's row check, the models' own
validation (fields, constraints, uniqueness) and the services' rules."""

import datetime

import pytest
from django.utils import timezone

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import User
from cvms.core.validators import is_mail_address
from cvms.demo.seed import seed_demo_everywhere
from cvms.immunizations.selectors import checkin_queue
from cvms.organizations.models import Location, Organization, StorageUnit
from cvms.recipients.choices import RecipientSource
from cvms.recipients.models import Recipient
from cvms.recipients.names import name_check
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
    loaded = Recipient.objects.exclude(source=RecipientSource.WALK_IN)
    failures = {str(r): check_row(_row(r), today=timezone.localdate())[1] for r in loaded}
    assert loaded.count() > 20
    assert {name: problems for name, problems in failures.items() if problems} == {}


def test_every_demo_walk_in_passes_the_walk_in_rules_and_waits_in_the_raleigh_queue(demo):
    walk_ins = Recipient.objects.filter(source=RecipientSource.WALK_IN)
    for person in walk_ins:
        for field in ("first_name", "last_name"):
            assert name_check(getattr(person, field), field=field, label=field) == getattr(person, field)
        assert len(person.phone) in (0, 10) and person.source_location.name == "Triangle Health Raleigh Clinic"
    raleigh = Location.objects.get(name="Triangle Health Raleigh Clinic")
    assert walk_ins.exists() and len(checkin_queue(raleigh)) == 2
    seed_demo_everywhere()  # seeded again: the same two people wait, once each
    assert len(checkin_queue(raleigh)) == 2


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
    # A walk-in may have no email (FAQ 30); every email there is can be sent to.
    emails = Recipient.objects.exclude(email="", source=RecipientSource.WALK_IN).values_list("email", flat=True)
    assert all(is_mail_address(email) for email in emails)


def test_demo_locations_carry_what_approval_gives(demo):
    for location in Location.objects.all():
        assert location.is_active and location.provider_pin and location.storage_units.exists(), location


def test_seeding_again_on_a_later_day_keeps_the_lots_received_the_first_day(demo):
    from unittest import mock

    from cvms.inventory.models import InventoryLot

    expiries = dict(InventoryLot.objects.values_list("lot_number", "expiration_date"))
    later = timezone.now() + datetime.timedelta(days=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        seed_demo_everywhere()  # a lot's expiry counted from a later day would be refused as another lot
    assert dict(InventoryLot.objects.values_list("lot_number", "expiration_date")) == expiries
