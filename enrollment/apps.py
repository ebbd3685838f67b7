from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "Provider Enrollment Portal"

    def ready(self):
        from enrollment import demo  # noqa: F401  (connects its seed_demo receiver)
