from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "cvms.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
