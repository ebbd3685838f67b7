from django.apps import AppConfig


class OrganizationPortalConfig(AppConfig):
    name = "organization_portal"
    verbose_name = "Organization Portal"
