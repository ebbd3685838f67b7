from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cvms.core"
    label = "core"
    verbose_name = _("CVMS core")

    def ready(self):
        from cvms.core import links  # noqa: F401  (registers the check that every link is served)
