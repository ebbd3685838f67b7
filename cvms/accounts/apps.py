from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cvms.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
