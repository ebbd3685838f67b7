"""The demo has a case awaiting its requester and a maintenance window scheduled, once however often
it is seeded."""

from django.utils import timezone

from cvms.core.models import DowntimeNotice
from cvms.demo.seed import seed_demo_everywhere
from helpdesk.kb_models import KnowledgeArticle
from helpdesk.models import Case, CaseStatus


def test_the_demo_has_articles_a_case_awaiting_the_manager_and_a_downtime_notice_once(reference_data):
    seed_demo_everywhere()
    seed_demo_everywhere()
    case = Case.objects.get(requester__email="manager@example.com")
    assert case.status == CaseStatus.AWAITING_INFO
    assert case.assignee.email == "agent@example.com"
    notice = DowntimeNotice.objects.get()
    assert timezone.now() < notice.notice_from < notice.starts_at < notice.ends_at
    assert notice.emails.exists()  # the provider users are emailed in advance
    assert KnowledgeArticle.objects.count() >= 40
