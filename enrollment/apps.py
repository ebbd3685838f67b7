from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = _("Provider Enrollment Portal")

    def ready(self):
        from enrollment import demo  # noqa: F401  (connects its seed_demo receiver)
