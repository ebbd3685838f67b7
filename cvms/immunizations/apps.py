from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImmunizationsConfig(AppConfig):
    name = "cvms.immunizations"
    label = "immunizations"
    verbose_name = _("Immunizations")
