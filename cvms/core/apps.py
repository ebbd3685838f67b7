from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cvms.core"
    label = "core"
    verbose_name = "CVMS core"

    def ready(self):
        from cvms.core import links  # noqa: F401  (registers the check that every link is served)
