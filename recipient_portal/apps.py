from django.apps import AppConfig


class RecipientPortalConfig(AppConfig):
    name = "recipient_portal"
    verbose_name = "Recipient Portal"

    def ready(self):
        from cvms.core import links

        # The pages of this portal that the core links to (emails, API answers).
        links.link_serve(links.RECIPIENT_HOME, "recipient_portal:home")
        links.link_serve(links.RECIPIENT_WELCOME, "recipient_portal:welcome")
