from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "cvms.demo"
    label = "demo"
    verbose_name = _("Demo data")

    def ready(self):
        # Receivers of seed_demo, in order: the marketplace's pharmacy is a location the Vaccines.gov
        # settings then list.
        from cvms.demo import (
            appointments,  # noqa: F401
            doses,  # noqa: F401
            groups,  # noqa: F401
            marketplace,  # noqa: F401
            vaccines_gov,  # noqa: F401
        )
