from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationPortalConfig(AppConfig):
    name = "organization_portal"
    verbose_name = _("Organization Portal")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from cvms.accounts.models import Role
        from cvms.core import links
        from cvms.core.portals import Portal, portal_register
        from organization_portal.access import ORGANIZATION_PORTAL_ROLES

        portal_register(Portal(
            key="organization", name=_("Organization Portal"), url_name="organization_portal:home", order=40,
            description=_("Invited employers upload their eligible employees."),
            roles=frozenset(ORGANIZATION_PORTAL_ROLES), visiting_roles=frozenset({Role.STATE_STAFF}),
        ))
        links.link_serve(links.EMPLOYEE_REMOVAL_REQUESTS, "organization_portal:removal_requests")
        links.link_serve(links.STATE_DASHBOARD, "organization_portal:state_dashboard")
        links.link_serve(links.DEPARTMENT_DASHBOARD, "organization_portal:department_dashboard")
