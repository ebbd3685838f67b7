from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cvms.api"
    label = "api"
    verbose_name = "API"
