from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "cvms.uploads"
    label = "uploads"
    verbose_name = _("Recipient bulk uploads")
