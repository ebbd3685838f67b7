from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "cvms.demo"
    label = "demo"
    verbose_name = _("Demo data")

    def ready(self):
        from cvms.demo import vaccines_gov  # noqa: F401  (connects its seed_demo receiver)
