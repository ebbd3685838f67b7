import datetime

import pytest
from django.db import IntegrityError

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.recipients import choices as c
from cvms.recipients.models import Recipient
from cvms.recipients.services import DuplicateRecipient, recipient_create, recipient_remove
from cvms.recipients.tests.factories import RecipientFactory

DOB = datetime.date(1955, 12, 2)


def test_same_person_is_refused_by_the_database_ignoring_case(db):
    RecipientFactory(first_name="Nicholas", last_name="Rinz", date_of_birth=DOB)
    with pytest.raises(IntegrityError):
        Recipient.objects.create(first_name="NICHOLAS", last_name="rinz", date_of_birth=DOB, source="walk_in")


def test_same_name_with_another_birth_date_is_another_person(db):
    RecipientFactory(first_name="Nicholas", last_name="Rinz", date_of_birth=DOB)
    RecipientFactory(first_name="Nicholas", last_name="Rinz", date_of_birth=DOB.replace(day=3))
    assert Recipient.objects.count() == 2


def test_recipient_create_reports_duplicate_and_saves_nothing(db, provider_a):
    recipient_create(first_name="Ana", last_name="Pérez", date_of_birth=DOB, source=c.RecipientSource.WALK_IN,
                     created_by=provider_a)
    with pytest.raises(DuplicateRecipient):
        recipient_create(first_name=" ana ", last_name="PÉREZ", date_of_birth=DOB,
                         source=c.RecipientSource.WALK_IN, created_by=provider_a)
    assert Recipient.objects.filter(last_name__iexact="pérez").count() == 1


def test_recipient_create_keeps_phone_digits_and_audits(db, provider_a):
    recipient = recipient_create(first_name="Ana", last_name="Lopez", date_of_birth=DOB, phone="(919) 555-5555",
                                 source=c.RecipientSource.WALK_IN, created_by=provider_a)
    assert recipient.phone == "9195555555"
    entry = AuditLog.objects.get(action="registry.recipient.created")
    assert entry.actor == provider_a and entry.object_id == str(recipient.pk)


def test_phone_with_punctuation_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError):
        RecipientFactory(phone="919-555-5555")


def test_recipient_remove_needs_a_reason_and_is_audited(db, agent):
    recipient = RecipientFactory()
    with pytest.raises(ServiceError):
        recipient_remove(recipient=recipient, actor=agent, reason=" ")
    recipient_remove(recipient=recipient, actor=agent, reason="Help desk case 42: duplicate upload")
    assert not Recipient.objects.filter(pk=recipient.pk).exists()
    assert AuditLog.objects.filter(action="registry.recipient.removed", actor=agent).exists()


def test_agent_removes_a_loaded_recipient_in_admin_with_a_reason(client, agent, tenant_a):
    from django.urls import reverse

    from cvms.organizations.models import Location

    loaded = tenant_a.upload.location.loaded_recipients.get(first_name="UpA")
    count = Location.objects.get(pk=tenant_a.location.pk).loaded_recipient_count
    client.force_login(agent)
    url = reverse("admin:recipients_recipient_changelist")
    ask = client.post(url, {"action": "remove_recipients", "_selected_action": [loaded.pk]})
    assert ask.status_code == 200 and b"Reason" in ask.content
    client.post(url, {"action": "remove_recipients", "_selected_action": [loaded.pk], "reason": "Case 7: duplicate"})
    assert not Recipient.objects.filter(pk=loaded.pk).exists()
    assert AuditLog.objects.get(action="registry.recipient.removed").changes["reason"] == "Case 7: duplicate"
    assert Location.objects.get(pk=tenant_a.location.pk).loaded_recipient_count == count - 1


def test_providers_cannot_delete_recipients_in_admin(client, tenant_a):
    from django.urls import reverse

    client.force_login(tenant_a.manager)
    url = reverse("admin:recipients_recipient_delete", args=[tenant_a.recipient.pk])
    assert client.post(url, {"post": "yes"}).status_code in (302, 403)
    assert Recipient.objects.filter(pk=tenant_a.recipient.pk).exists()
