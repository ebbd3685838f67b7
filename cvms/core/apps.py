from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cvms.core"
    label = "core"
    verbose_name = "CVMS core"
