"""State staff see each immunization's reporting to the state registry in admin, and resend."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.immunizations.services.administer import immunization_mark_entered_in_error
from cvms.reporting.models import RegistrySubmission, SubmissionAction, SubmissionStatus
from cvms.reporting.tests.vxu_fixtures import a_dose

CHANGELIST = "admin:reporting_registrysubmission_changelist"


@pytest.fixture
def answered(tenant_a, reference_data):
    """A dose whose VXU the registry accepted with errors."""
    dose = a_dose(tenant_a)
    RegistrySubmission.objects.filter(immunization=dose).update(
        status=SubmissionStatus.ACCEPTED_WITH_ERRORS, ack_code="AE", ack_text="Unknown lot number",
        attempts=1, sent_at=timezone.now(), next_attempt_at=None)
    return dose


def test_state_staff_see_the_reporting_status_and_the_registrys_words(client, state_reviewer, answered):
    client.force_login(state_reviewer)
    response = client.get(reverse(CHANGELIST), {"status__exact": "accepted_errors"})
    assert response.status_code == 200
    assert [s.immunization_id for s in response.context["cl"].result_list] == [answered.pk]
    assert "Unknown lot number" in response.content.decode()
    assert not client.get(reverse(CHANGELIST), {"status__exact": "failed"}).context["cl"].result_list
    submission = RegistrySubmission.objects.get(immunization=answered)
    page = client.get(reverse("admin:reporting_registrysubmission_change", args=[submission.pk]))
    assert page.status_code == 200 and "Unknown lot number" in page.content.decode()


def test_submissions_are_found_by_immunization_id_and_recipient_name(client, state_reviewer, answered):
    client.force_login(state_reviewer)
    for term in [str(answered.pk), "doe", "Jane Doe"]:
        found = client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_list
        assert [s.immunization_id for s in found] == [answered.pk], term
    assert not client.get(reverse(CHANGELIST), {"q": "Nobody"}).context["cl"].result_list
    assert not client.get(reverse(CHANGELIST), {"q": str(answered.pk + 1000)}).context["cl"].result_list


def test_state_staff_resend_a_record_as_it_stands_and_the_resend_is_audited(client, state_reviewer, answered,
                                                                            tenant_a):
    immunization_mark_entered_in_error(immunization=answered, actor=tenant_a.manager, reason="Wrong person")
    first = RegistrySubmission.objects.filter(immunization=answered).order_by("id").first()
    client.force_login(state_reviewer)
    response = client.post(reverse(CHANGELIST), {"action": "resend", "_selected_action": [first.pk]}, follow=True)
    assert "1 record queued to be sent again." in response.content.decode()
    resent = RegistrySubmission.objects.filter(immunization=answered).order_by("id").last()
    assert (resent.action, resent.status, resent.attempts, resent.resent_by, resent.event) == (
        SubmissionAction.DELETE, SubmissionStatus.PENDING, 0, state_reviewer, None)
    assert AuditLog.objects.filter(action="reporting.registry_submission.resent", actor=state_reviewer,
                                   object_id=str(resent.pk)).exists()


def test_a_provider_can_neither_see_nor_resend_submissions(client, provider_a, answered):
    client.force_login(provider_a)
    before = RegistrySubmission.objects.count()
    submission = RegistrySubmission.objects.get(immunization=answered)
    response = client.post(reverse(CHANGELIST), {"action": "resend", "_selected_action": [submission.pk]})
    assert response.status_code == 302 and "/login/" in response.url
    assert client.get(reverse(CHANGELIST)).status_code == 302
    assert RegistrySubmission.objects.count() == before
    assert not AuditLog.objects.filter(action="reporting.registry_submission.resent").exists()


def test_a_help_desk_agent_is_not_offered_the_submissions(client, agent, answered):
    client.force_login(agent)
    assert client.get(reverse(CHANGELIST)).status_code == 403
