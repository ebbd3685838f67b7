from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "cvms.uploads"
    label = "uploads"
    verbose_name = "Recipient bulk uploads"
