from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_email, user_username

from cvms.accounts.selectors import home_url_for
from cvms.core.validators import validate_mail_address


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return home_url_for(request.user)

    def clean_email(self, email):
        """Sign-up and added addresses pass the one email validator the whole system uses."""
        validate_mail_address(email)
        return super().clean_email(email)

    def populate_username(self, request, user):
        """People who sign up use their email as their username."""
        user_username(user, user_email(user).lower())
