from allauth.account.adapter import DefaultAccountAdapter

from cvms.accounts.selectors import home_url_for


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return home_url_for(request.user)
