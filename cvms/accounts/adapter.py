from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_email, user_username
from django.core.exceptions import PermissionDenied
from django.utils import translation

from cvms.accounts.language import language_supported
from cvms.accounts.logins import normalize_login
from cvms.accounts.selectors import home_url_for
from cvms.core.client_ip import client_ip
from cvms.core.validators import validate_mail_address


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return home_url_for(request.user)

    def save_user(self, request, user, form, commit=True):
        """Someone who signs up keeps the language they signed up in, for pages and emails."""
        language = getattr(request, "LANGUAGE_CODE", None)
        if language_supported(language):
            user.preferred_language = language
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        """allauth's emails about an account (password reset, address confirmation) go out in the
        account's language, whichever language the page that asked for them was in."""
        language = getattr(context.get("user"), "preferred_language", None)
        if not language_supported(language):
            return super().send_mail(template_prefix, email, context)
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)

    def populate_username(self, request, user):
        """People who sign up use their email as their username."""
        user_username(user, normalize_login(user_email(user)))

    def clean_email(self, email):
        """Every address allauth takes in (sign-up, adding one, password reset) is stored and looked
        up in the one normalized spelling, and must be one the mail layer can send to."""
        email = normalize_login(super().clean_email(email))
        validate_mail_address(email)  # the one email validator the whole system uses
        return email

    def clean_username(self, username, shallow=False):
        return super().clean_username(normalize_login(username), shallow=shallow)

    def get_client_ip(self, request):
        """allauth's rate limits count per address by the project's one rule."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address")
        return address
