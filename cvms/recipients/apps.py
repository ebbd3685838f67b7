from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecipientsConfig(AppConfig):
    name = "cvms.recipients"
    label = "recipients"
    verbose_name = _("Recipients")

    def ready(self):
        from cvms.accounts.services import user_language_follow
        from cvms.recipients.services import recipient_language_follow

        user_language_follow(recipient_language_follow)
