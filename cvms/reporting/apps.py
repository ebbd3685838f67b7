from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "cvms.reporting"
    label = "reporting"
    verbose_name = "Reporting to CDC and the state registry"
