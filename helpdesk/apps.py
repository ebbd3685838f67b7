from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Help Desk Portal")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from cvms.accounts.models import Role
        from cvms.core import links
        from cvms.core.portals import Portal, portal_register

        portal_register(Portal(
            key="helpdesk", name=_("Help Desk Portal"), url_name="helpdesk:home", order=50,
            description=_("Providers, employers and recipients get answers and submit requests for help."),
            roles=frozenset({Role.HELPDESK_AGENT, Role.HELPDESK_REQUESTER}),
            # Registering to ask for help makes nobody less of a newcomer: they may still enroll.
            newcomer_roles=frozenset({Role.HELPDESK_REQUESTER}), visitors=True, everyone=True,
            start_label=_("Get help"),
        ))
        # The pages of this portal that the core links to (emails, API answers).
        links.link_serve(links.HELP_CENTER, "helpdesk:home")
        links.link_serve(links.HELP_PROVIDER_CASE, "helpdesk:provider_new")
        from helpdesk import (
            demo,  # noqa: F401  (connects its seed_demo receiver)
            requests,  # noqa: F401  (a case for each request about a recipient record)
        )
