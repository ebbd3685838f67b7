from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationPortalConfig(AppConfig):
    name = "organization_portal"
    verbose_name = _("Organization Portal")
