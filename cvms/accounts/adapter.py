from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_email, user_username

from cvms.accounts.selectors import home_url_for


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return home_url_for(request.user)

    def populate_username(self, request, user):
        """People who sign up use their email as their username."""
        user_username(user, user_email(user).lower())
