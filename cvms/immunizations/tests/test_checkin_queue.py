"""The clinic floor's queue: check people in, one waiting check-in per person and location, and
close a check-in when they leave without a dose."""

import datetime

import pytest
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.immunizations import choices as c
from cvms.immunizations.models import CheckIn
from cvms.immunizations.selectors import checkin_queue
from cvms.immunizations.services.checkin import AlreadyWaiting, checkin_close_left, checkin_open
from cvms.recipients.tests.factories import RecipientFactory


def test_checking_in_puts_the_person_in_the_queue_oldest_first_and_is_audited(tenant_a):
    first, second = RecipientFactory(), RecipientFactory()
    checkin_open(location=tenant_a.location, recipient=first, actor=tenant_a.front_desk)
    checkin_open(location=tenant_a.location, recipient=second, actor=tenant_a.vaccinator)
    assert [ci.recipient for ci in checkin_queue(tenant_a.location)] == [first, second]
    assert AuditLog.objects.filter(action="registry.checkin.opened").count() == 2


def test_a_person_already_waiting_is_not_checked_in_twice(tenant_a):
    person = RecipientFactory(first_name="Ana", last_name="Walker")
    waiting = checkin_open(location=tenant_a.location, recipient=person, actor=tenant_a.front_desk)
    with pytest.raises(AlreadyWaiting, match="Ana Walker is already checked in and waiting") as again:
        checkin_open(location=tenant_a.location, recipient=person, actor=tenant_a.front_desk)
    assert again.value.checkin == waiting and CheckIn.objects.count() == 1


def test_the_same_person_may_wait_at_two_locations(tenant_a):
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant

    person = RecipientFactory()
    membership_grant(user=tenant_a.front_desk, role=Role.FRONT_DESK, location=tenant_a.other_location)
    checkin_open(location=tenant_a.location, recipient=person, actor=tenant_a.front_desk)
    checkin_open(location=tenant_a.other_location, recipient=person, actor=tenant_a.front_desk)
    assert CheckIn.objects.filter(status=c.CheckInStatus.WAITING).count() == 2


def test_a_check_in_left_waiting_yesterday_is_closed_and_the_person_checked_in_again(tenant_a):
    person = RecipientFactory()
    stale = checkin_open(location=tenant_a.location, recipient=person, actor=tenant_a.front_desk)
    CheckIn.objects.filter(pk=stale.pk).update(checked_in_at=timezone.now() - datetime.timedelta(days=1))
    assert list(checkin_queue(tenant_a.location)) == []
    fresh = checkin_open(location=tenant_a.location, recipient=person, actor=tenant_a.front_desk)
    stale.refresh_from_db()
    assert stale.status == c.CheckInStatus.LEFT and list(checkin_queue(tenant_a.location)) == [fresh]


def test_left_without_a_dose_leaves_the_queue_once(tenant_a):
    checkin = checkin_open(location=tenant_a.location, recipient=RecipientFactory(), actor=tenant_a.front_desk)
    checkin_close_left(checkin=checkin, actor=tenant_a.front_desk)
    assert checkin.status == c.CheckInStatus.LEFT and checkin.closed_at
    assert list(checkin_queue(tenant_a.location)) == []
    with pytest.raises(ServiceError, match="already closed"):
        checkin_close_left(checkin=checkin, actor=tenant_a.vaccinator)
    assert AuditLog.objects.filter(action="registry.checkin.closed").count() == 1


def test_only_the_people_of_the_location_check_people_in(tenant_a, tenant_b, state_reviewer):
    person = RecipientFactory()
    for outsider in (tenant_b.front_desk, tenant_a.org_admin, state_reviewer):
        with pytest.raises(ServiceError):
            checkin_open(location=tenant_a.location, recipient=person, actor=outsider)
    checkin = checkin_open(location=tenant_a.location, recipient=person, actor=tenant_a.front_desk)
    with pytest.raises(ServiceError):
        checkin_close_left(checkin=checkin, actor=tenant_b.manager)
    assert CheckIn.objects.get().status == c.CheckInStatus.WAITING
