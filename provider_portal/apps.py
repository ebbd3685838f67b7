from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProviderPortalConfig(AppConfig):
    name = "provider_portal"
    verbose_name = _("Provider Portal")
