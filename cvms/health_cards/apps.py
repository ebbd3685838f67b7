from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthCardsConfig(AppConfig):
    name = "cvms.health_cards"
    label = "health_cards"
    verbose_name = _("SMART Health Cards")

    def ready(self):
        from cvms.health_cards import checks  # noqa: F401  (registers the key check)
