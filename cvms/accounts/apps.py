from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cvms.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        # Register the system checks and the sign-in hooks (language, device cookie).
        from cvms.accounts import checks, devices, language  # noqa: F401
