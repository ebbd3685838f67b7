from django.apps import AppConfig


class ProviderPortalConfig(AppConfig):
    name = "provider_portal"
    verbose_name = "Provider Portal"

    def ready(self):
        from cvms.core import links

        # The pages of this portal that the core links to (emails, API answers).
        links.link_serve(links.UPLOAD_FAILED_RECORDS, "provider_portal:bulk_failed_csv")
