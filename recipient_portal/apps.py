from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecipientPortalConfig(AppConfig):
    name = "recipient_portal"
    verbose_name = _("Recipient Portal")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from cvms.accounts.models import Role
        from cvms.core import links
        from cvms.core.portals import Portal, portal_register
        from recipient_portal.ways_in import recipient_ways_in

        portal_register(Portal(
            key="recipient", name=_("Recipient Portal"), url_name="recipient_portal:home", order=30,
            description=_("People registered for vaccination by their provider or employer see their record and "
                          "their COVID-19 vaccinations."),
            roles=frozenset({Role.RECIPIENT}), visitors=True, newcomers=True, for_recipients=True,
            start_label=_("Sign in to the Recipient Portal"), ways_in=recipient_ways_in,
            nav_template="recipient_portal/_nav.html",
        ))
        # The pages of this portal that the core links to (emails, API answers).
        links.link_serve(links.RECIPIENT_HOME, "recipient_portal:home")
        links.link_serve(links.RECIPIENT_WELCOME, "recipient_portal:welcome")
        links.link_serve(links.RECIPIENT_APPOINTMENTS, "recipient_portal:appointments")
        links.link_serve(links.RECIPIENT_APPOINTMENT, "recipient_portal:appointment")
        links.link_serve(links.VACCINE_FINDER, "recipient_portal:find")
        links.link_serve(links.BOOK_AT_LOCATION, "recipient_portal:book_location")
        links.link_serve(links.RECIPIENT_GROUP, "recipient_portal:group")
        links.link_serve(links.RECIPIENT_EMAIL_CONFIRM, "recipient_portal:email_confirm")
        links.link_serve(links.RECIPIENT_PREFERENCES, "recipient_portal:preferences")
