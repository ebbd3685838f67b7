"""Coded answers of the Find My Group questionnaire. Industries are ``cvms.recipients.choices.Industry``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MedicalCondition(models.TextChoices):
    CANCER = "cancer", _("Cancer")
    KIDNEY = "kidney", _("Chronic kidney disease")
    LUNG = "lung", _("COPD or another chronic lung disease")
    HEART = "heart", _("A serious heart condition")
    IMMUNOCOMPROMISED = "immunocompromised", _("A weakened immune system")
    OBESITY = "obesity", _("Obesity")
    SICKLE_CELL = "sickle_cell", _("Sickle cell disease")
    DIABETES = "diabetes", _("Diabetes")
    PREGNANCY = "pregnancy", _("Pregnancy")
    SMOKING = "smoking", _("Smoking")


class LivingSetting(models.TextChoices):
    HOME = "home", _("A private home or apartment")
    LONG_TERM_CARE = "long_term_care", _("A nursing home or other long-term care facility")
    GROUP_HOME = "group_home", _("A group home")
    CORRECTIONAL = "correctional", _("A prison or jail")
    SHELTER = "shelter", _("A homeless shelter")
    FARMWORKER_HOUSING = "farmworker_housing", _("Migrant farmworker housing")
