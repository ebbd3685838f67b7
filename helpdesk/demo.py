"""``manage.py seed_demo`` for the help desk: the knowledge base from the FAQ (as ``load_kb_articles``
loads it), a provider's case the agent has asked about (so My Lists and the queues have something
to show), and a maintenance window two weeks out whose notice starts a week before it."""

import datetime

from django.dispatch import receiver
from django.utils import timezone

from cvms.accounts.models import User
from cvms.core.downtime import downtime_notice_create
from cvms.core.models import DowntimeNotice
from cvms.demo.seed import demo_seeded
from helpdesk.kb_services import kb_articles_load
from helpdesk.models import Case, RequestType
from helpdesk.services import case_assign, case_info_request, case_open


@receiver(demo_seeded)
def seed_helpdesk_demo(sender, logins, **kwargs):
    kb_articles_load()
    _seed_case()
    _seed_downtime()


def _seed_case():
    manager = User.objects.get(email="manager@example.com")
    if Case.objects.filter(requester=manager).exists():
        return
    agent = User.objects.get(email="agent@example.com")
    case = case_open(actor=manager, channel="provider", request_type=RequestType.INVENTORY,
                     provider_organization="Triangle Health System",
                     description="The data logger of Refrigerator 1 at the Raleigh clinic read 9 °C for 20 minutes "
                                 "overnight. Are the doses in it still usable?")
    case = case_assign(case=case, actor=agent, assignee=agent)
    case_info_request(case=case, actor=agent, body="Which lots were in Refrigerator 1, and did the manufacturer "
                                                   "confirm their stability after the excursion?")


def _seed_downtime():
    if DowntimeNotice.objects.exists():
        return
    starts = (timezone.localtime() + datetime.timedelta(days=14)).replace(hour=22, minute=0, second=0, microsecond=0)
    downtime_notice_create(
        actor=None, notice_from=starts - datetime.timedelta(days=7), starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        message_en="CVMS will be down for scheduled maintenance. Record doses on paper and enter them afterwards.",
        message_es="CVMS no estará disponible por mantenimiento programado. Anote las dosis en papel e ingréselas "
                   "después.")
