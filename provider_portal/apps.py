from django.apps import AppConfig


class ProviderPortalConfig(AppConfig):
    name = "provider_portal"
    verbose_name = "Provider Portal"
