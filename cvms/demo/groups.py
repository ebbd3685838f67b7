"""Demo vaccine groups for ``manage.py seed_demo``: North Carolina's groups of 2021, groups 1 to 4
open and group 5 not yet. Rosa has answered Find My Group (a grocery worker: group 3)."""

from django.dispatch import receiver

from cvms.accounts.models import User
from cvms.demo.seed import demo_seeded
from cvms.eligibility.choices import LivingSetting, MedicalCondition
from cvms.eligibility.models import GroupCriterion, VaccineGroup
from cvms.eligibility.services import eligibility_answer, group_open
from cvms.recipients.choices import Industry
from cvms.recipients.models import Recipient

I = Industry  # noqa: E741
CONGREGATE = [LivingSetting.GROUP_HOME, LivingSetting.CORRECTIONAL, LivingSetting.SHELTER,
              LivingSetting.FARMWORKER_HOUSING]
#: (order, English name, Spanish name, open, criteria as field values)
GROUPS = [
    (1, "Group 1: Health care workers and long-term care", "Grupo 1: Trabajadores de la salud y cuidado a largo plazo",
     True, [{"industries": [I.HEALTHCARE, I.LONG_TERM_CARE]}, {"living_settings": [LivingSetting.LONG_TERM_CARE]}]),
    (2, "Group 2: Older adults (65 and older)", "Grupo 2: Adultos mayores (65 años o más)", True,
     [{"min_age": 65}]),
    (3, "Group 3: Frontline essential workers", "Grupo 3: Trabajadores esenciales de primera línea", True,
     [{"min_age": 16, "industries": [I.EDUCATION, I.EMERGENCY, I.FOOD, I.MANUFACTURING, I.RETAIL,
                                     I.TRANSPORTATION, I.GOVERNMENT]}]),
    (4, "Group 4: Adults at high risk of severe illness and people in close group settings",
     "Grupo 4: Adultos con alto riesgo de enfermedad grave y personas que viven en entornos grupales", True,
     [{"min_age": 16, "conditions": list(MedicalCondition.values)}, {"min_age": 16, "living_settings": CONGREGATE}]),
    (5, "Group 5: Everyone 16 and older", "Grupo 5: Todas las personas de 16 años o más", False, [{"min_age": 16}]),
]


@receiver(demo_seeded)
def seed_groups_demo(sender, logins, **kwargs):
    for order, name_en, name_es, is_open, criteria in GROUPS:
        group, created = VaccineGroup.objects.get_or_create(order=order, defaults={"name_en": name_en,
                                                                                   "name_es": name_es})
        if created:
            for fields in criteria:
                criterion = GroupCriterion(group=group, **fields)
                criterion.full_clean()
                criterion.save()
            if is_open:
                group_open(group=group, actor=None)
    rosa = Recipient.objects.filter(user__in=User.objects.filter(email="recipient@example.com")).first()
    if rosa is not None and not hasattr(rosa, "eligibility"):
        eligibility_answer(recipient=rosa, industry=Industry.RETAIL, conditions=[], living_setting=LivingSetting.HOME,
                           actor=rosa.user)
