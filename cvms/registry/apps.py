from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """Migration history only (see the package docstring)."""

    name = "cvms.registry"
    label = "registry"
    verbose_name = "Registry (migration history)"
