from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cvms.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        from cvms.accounts import checks  # noqa: F401  (registers the system checks)
