from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecipientPortalConfig(AppConfig):
    name = "recipient_portal"
    verbose_name = _("Recipient Portal")
