from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Help Desk Portal"

    def ready(self):
        from cvms.core import links

        # The pages of this portal that the core links to (emails, API answers).
        links.link_serve(links.HELP_CENTER, "helpdesk:home")
