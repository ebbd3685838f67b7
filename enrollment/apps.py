from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = _("Provider Enrollment Portal")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from cvms.accounts.models import Role
        from cvms.core.portals import Portal, portal_register
        from enrollment import demo  # noqa: F401  (connects its seed_demo receiver)

        portal_register(Portal(
            key="enrollment", name=_("Provider Enrollment Portal"), url_name="enrollment:home", order=10,
            description=_("Organization administrators complete, sign and submit the CDC COVID-19 Vaccination "
                          "Program Provider Agreement."),
            roles=frozenset({Role.ORG_ADMIN, Role.STATE_STAFF}), visitors=True, newcomers=True,
            start_label=_("Start an enrollment"), start_url_name="enrollment:start",
        ))
