"""Vaccine groups in admin, for state staff: names, order and criteria (inline) edited and
audited; opening and closing only through the actions, which call the services; help desk agents
only look."""

import pytest
from django.urls import reverse

from cvms.appointments.tests.helpers import queued
from cvms.core.models import AuditLog
from cvms.eligibility.models import GroupCriterion, VaccineGroup
from cvms.eligibility.tests.helpers import make_group

CHANGELIST = "admin:eligibility_vaccinegroup_changelist"
RECOMPUTE = "cvms.eligibility.tasks.recompute_groups"


@pytest.fixture
def seniors(db):
    return make_group(2, {"min_age": 65}, name="Group 2: 65 and older")


def _change_form(group, criterion, **changes):
    data = {"order": group.order, "name_en": group.name_en, "name_es": group.name_es,
            "criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "1", "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "1000",
            "criteria-0-id": criterion.pk, "criteria-0-group": group.pk, "criteria-0-min_age": "60",
            "criteria-1-group": group.pk, "criteria-1-min_age": "16", "criteria-1-conditions": ["cancer", "kidney"]}
    return {**data, **changes}


def test_state_staff_open_and_close_groups_with_the_actions_through_the_services(client, state_reviewer, seniors):
    client.force_login(state_reviewer)
    response = client.post(reverse(CHANGELIST), {"action": "open_groups", "_selected_action": [seniors.pk]},
                           follow=True)
    assert "1 group opened." in response.content.decode()
    assert VaccineGroup.objects.get(pk=seniors.pk).is_open
    assert queued("cvms.eligibility.tasks.send_group_opened_emails") == [[seniors.pk]]
    client.post(reverse(CHANGELIST), {"action": "close_groups", "_selected_action": [seniors.pk]})
    assert not VaccineGroup.objects.get(pk=seniors.pk).is_open
    assert [e.action for e in AuditLog.objects.filter(actor=state_reviewer).order_by("pk")] == [
        "eligibility.group.opened", "eligibility.group.closed"]


def test_state_staff_edit_a_groups_criteria_inline_and_each_change_is_audited(client, state_reviewer, seniors):
    client.force_login(state_reviewer)
    criterion = seniors.criteria.get()
    response = client.post(reverse("admin:eligibility_vaccinegroup_change", args=[seniors.pk]),
                           _change_form(seniors, criterion, name_es="Grupo 2: 60 años o más"))
    assert response.status_code == 302
    assert sorted(GroupCriterion.objects.filter(group=seniors).values_list("min_age", flat=True)) == [16, 60]
    assert GroupCriterion.objects.get(group=seniors, min_age=16).conditions == ["cancer", "kidney"]
    actions = sorted(AuditLog.objects.filter(actor=state_reviewer).values_list("action", flat=True))
    assert actions == ["admin.eligibility.vaccinegroup.changed", "eligibility.criterion.added",
                       "eligibility.criterion.changed", "eligibility.groups.recompute_queued"]
    assert queued(RECOMPUTE) == [[AuditLog.objects.get(action="eligibility.groups.recompute_queued").pk, 0]]


def test_state_staff_add_a_closed_group_with_its_criteria_audited(client, state_reviewer, db):
    client.force_login(state_reviewer)
    response = client.post(reverse("admin:eligibility_vaccinegroup_add"), {
        "order": "5", "name_en": "Group 5: Everyone", "name_es": "Grupo 5: Todos",
        "criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0", "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000", "criteria-0-min_age": "16"})
    assert response.status_code == 302
    group = VaccineGroup.objects.get(order=5)
    assert not group.is_open and group.criteria.get().min_age == 16
    assert sorted(AuditLog.objects.filter(actor=state_reviewer).values_list("action", flat=True)) == [
        "admin.eligibility.vaccinegroup.added", "eligibility.criterion.added", "eligibility.groups.recompute_queued"]


def test_a_new_order_recomputes_everyones_group_and_new_names_do_not(client, state_reviewer, seniors):
    client.force_login(state_reviewer)
    url = reverse("admin:eligibility_vaccinegroup_change", args=[seniors.pk])
    criterion = seniors.criteria.get()
    unchanged = {"criteria-TOTAL_FORMS": "1", "criteria-0-min_age": "65"}
    client.post(url, {**_change_form(seniors, criterion, name_en="Group 2: Older people"), **unchanged})
    assert queued(RECOMPUTE) == []
    client.post(url, {**_change_form(seniors, criterion, order="7"), **unchanged})
    assert VaccineGroup.objects.get(pk=seniors.pk).order == 7
    assert queued(RECOMPUTE) == [[AuditLog.objects.get(action="eligibility.groups.recompute_queued").pk, 0]]
    entry = AuditLog.objects.get(action="eligibility.groups.recompute_queued")
    assert entry.actor == state_reviewer and entry.changes == {"reason": "order"}


def test_a_criterion_that_says_nothing_or_has_its_ages_reversed_is_refused_on_the_form(client, state_reviewer,
                                                                                      seniors):
    client.force_login(state_reviewer)
    criterion = seniors.criteria.get()
    response = client.post(reverse("admin:eligibility_vaccinegroup_change", args=[seniors.pk]),
                           _change_form(seniors, criterion, **{"criteria-0-min_age": "",
                                                               "criteria-1-max_age": "10"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The maximum age is below the minimum age." in page
    assert "Give the criterion an age, an industry, a condition or a living setting." in page
    assert GroupCriterion.objects.get(group=seniors).min_age == 65


def test_opening_is_read_only_on_the_change_form(client, state_reviewer, seniors):
    client.force_login(state_reviewer)
    criterion = seniors.criteria.get()
    client.post(reverse("admin:eligibility_vaccinegroup_change", args=[seniors.pk]),
                _change_form(seniors, criterion, is_open="on", opened_at="2021-01-01 00:00"))
    assert not VaccineGroup.objects.get(pk=seniors.pk).is_open


def test_help_desk_agents_cannot_open_groups(client, agent, seniors):
    client.force_login(agent)
    response = client.post(reverse(CHANGELIST), {"action": "open_groups", "_selected_action": [seniors.pk]})
    assert response.status_code == 403 and not VaccineGroup.objects.get(pk=seniors.pk).is_open
