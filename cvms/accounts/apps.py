from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cvms.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from cvms.accounts import checks, language  # noqa: F401  (register the system checks, the sign-in hook)
