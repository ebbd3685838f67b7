from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProviderPortalConfig(AppConfig):
    name = "provider_portal"
    verbose_name = _("Provider Portal")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from cvms.accounts.models import PROVIDER_ROLES, Role
        from cvms.core import links
        from cvms.core.portals import Portal, portal_register

        portal_register(Portal(
            key="provider", name=_("Provider Portal"), url_name="provider_portal:home", order=20,
            description=_("Enrolled locations manage vaccine inventory, check in recipients, record vaccine "
                          "administration and upload recipients."),
            roles=frozenset(PROVIDER_ROLES),
            # State staff approve transfers here and see every location's stock; organization
            # administrators read their organization's dashboard here.
            visiting_roles=frozenset({Role.STATE_STAFF, Role.ORG_ADMIN}),
            downtime_notices=True,  # FAQ 5: Provider Portal users are emailed about scheduled downtime
        ))
        # The pages of this portal that the core links to (emails, API answers).
        links.link_serve(links.UPLOAD_FAILED_RECORDS, "provider_portal:bulk_failed_csv")
        links.link_serve(links.VACCINES_GOV_SETTINGS, "provider_portal:vaccines_gov")
        links.link_serve(links.MARKETPLACE_OFFERS, "provider_portal:marketplace_offers")
        links.link_serve(links.MARKETPLACE_REQUESTS, "provider_portal:marketplace_requests")
        links.link_serve(links.TRANSFER, "provider_portal:transfer")
        links.link_serve(links.TRANSFER_QUEUE, "provider_portal:state_transfers")
        links.link_serve(links.ORGANIZATION_DASHBOARD, "provider_portal:organization_dashboard")
        links.link_serve(links.LOCATION_DASHBOARD, "provider_portal:dashboard")
