from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinesGovConfig(AppConfig):
    name = "cvms.vaccines_gov"
    label = "vaccines_gov"
    verbose_name = _("Vaccines.gov")
