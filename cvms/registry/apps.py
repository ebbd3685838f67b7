from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cvms.registry"
    label = "registry"
    verbose_name = "Registry"
