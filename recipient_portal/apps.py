from django.apps import AppConfig


class RecipientPortalConfig(AppConfig):
    name = "recipient_portal"
    verbose_name = "Recipient Portal"
