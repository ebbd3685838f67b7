from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cvms.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        from cvms.api import schema  # noqa: F401  (registers the schema extensions)
