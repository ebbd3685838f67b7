from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "cvms.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from cvms.api import schema  # noqa: F401  (registers the schema extensions)
