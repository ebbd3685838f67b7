import re

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.fields import EmailField
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import password_validation
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from cvms.accounts.backends import current_password_check
from cvms.accounts.logins import normalize_login, recipient_username_pattern
from cvms.accounts.models import Role, User
from cvms.accounts.selectors import password_reset_accounts, user_has_role
from cvms.core.forms import UswdsFormMixin

EmailVerificationMethod = allauth_settings.EmailVerificationMethod


class LoginForm(AllauthLoginForm):
    """Staff and providers sign in with their email; recipients may use their portal username."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email or username")
        self.fields["login"].widget.attrs["placeholder"] = ""
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        _bound(self.fields["login"], User._meta.get_field("username").max_length)

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "user", None)
        if user is not None and getattr(self, "_login", None) is not None:
            # allauth adds the address as typed to the account when it is not one of the account's
            # addresses (and mails it a verification link): a sign-in names the account's own.
            self._login.email = user.email
            if _is_recipient_login(user):
                # The one-time welcome link already proved the address; family members who share
                # one email cannot all hold it verified, so verification is not asked of them again.
                self._login.email_verification = EmailVerificationMethod.NONE
        return cleaned


def _bound(field: forms.CharField, max_length: int) -> None:
    """Give a field built by a library the maximum it lacks, checked and shown in the input."""
    field.max_length = max_length
    field.validators.append(MaxLengthValidator(max_length))
    field.widget.attrs["maxlength"] = str(max_length)
class AccountEmailField(EmailField):
    """An address typed to name an account, read the way sign-in reads a login (``normalize_login``)
    before it is checked: a spelling that signs in (fullwidth letters, say) is accepted wherever
    an account's address is typed. A text input, as on the sign-in page: a browser would refuse
    such spellings in an email input before the server could read them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(type="text", inputmode="email")

    def to_python(self, value):
        return normalize_login(super().to_python(value))


class SignupForm(AllauthSignupForm):
    email = AccountEmailField()


class AddEmailForm(AllauthAddEmailForm):
    email = AccountEmailField(required=True)


class ResetPasswordForm(AllauthResetPasswordForm):
    """A reset link goes to the accounts ``password_reset_accounts`` names, whatever spelling of
    the address was typed."""

    email = AccountEmailField(required=True)

    def clean_email(self):
        email = get_adapter().clean_email(self.cleaned_data["email"])
        self.users = password_reset_accounts(email=email)
        if not self.users and not allauth_settings.PREVENT_ENUMERATION:
            raise get_adapter().validation_error("unknown_email")
        return email


class ChangePasswordForm(AllauthChangePasswordForm):
    """The account page's password change: the current password is checked as a sign-in
    (``current_password_check``), so wrong ones are counted and a paused account is refused."""

    def clean_oldpassword(self):
        if not current_password_check(request=context.request, user=self.user,
                                      password=self.cleaned_data.get("oldpassword", "")):
            raise get_adapter().validation_error("enter_current_password")
        return self.cleaned_data["oldpassword"]


class AdminCurrentPasswordChangeForm(AdminPasswordChangeForm):
    """Django admin's own password change, with the current password checked as a sign-in."""

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not current_password_check(request=self.request, user=self.user, password=old_password):
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    """The new password from a reset link, which also proves the account's address."""

    def save(self):
        from cvms.accounts.services import password_reset_complete

        password_reset_complete(user=self.user, password=self.cleaned_data["password1"])


def _is_recipient_login(user) -> bool:
    """A portal username: the email, the suffix, and a number when an email is shared."""
    return bool(re.search(recipient_username_pattern(), user.username)) and user_has_role(user, Role.RECIPIENT)


class NewPasswordForm(UswdsFormMixin, forms.Form):
    """A new password typed twice, checked by the password validators against the person it is
    for (``password_owner``: an unsaved ``User`` with their names and email)."""

    password1 = forms.CharField(label=_("New password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password (again)"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def password_owner(self) -> User:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            try:
                password_validation.validate_password(first, self.password_owner())
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class InvitationRegisterForm(NewPasswordForm):
    """Register from an invitation: the email is the invited one, so only a name and a password."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    field_order = ["first_name", "last_name", "password1", "password2"]

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["password1"].label = _("Password")
        self.fields["password2"].label = _("Password (again)")

    def password_owner(self) -> User:
        names = {name: self.cleaned_data.get(name, "") for name in ("first_name", "last_name")}
        return User(username=self.invitation.email, email=self.invitation.email, **names)


class PermanentPasswordForm(NewPasswordForm):
    """The password that replaces an emailed temporary one (signing in with it proved it)."""

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def password_owner(self) -> User:
        return self.user

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        if self.user.check_password(password):
            raise forms.ValidationError(_("Choose a new password, not the temporary one from the email."))
        return password
