"""Users, roles and invitations in admin. Roles are given and taken through ``membership_grant``
and ``membership_revoke`` (audited); the staff groups follow the roles, so they are read-only."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox.models import AuthToken

from cvms.accounts.forms import AdminCurrentPasswordChangeForm
from cvms.accounts.lockout import signin_failures_clear, signin_paused_accounts
from cvms.accounts.models import Invitation, Membership, PausedSignIn, User
from cvms.accounts.services import (
    MembershipPlaceMissing,
    membership_grant,
    membership_place,
    membership_revoke,
    user_create,
)
from cvms.core.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from cvms.core.audit import audit_log


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A user's roles, shown; they are given and taken in the memberships list."""

    model = Membership
    fk_name = "user"
    extra = 0


class UserCreationForm(auth_forms.UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email")


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["username"]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["username", "email", "first_name", "last_name"]
    list_filter = ["is_active", "is_staff", "memberships__role"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "preferred_language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),)
    # Staff status and groups follow the user's roles (membership_grant).
    readonly_fields = ["is_staff", "groups", "last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        user = user_create(email=data["email"], username=data["username"], password=data["password1"],
                           actor=request.user)
        obj.pk, obj._state.adding = user.pk, False
        return None

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit_log(actor=request.user, action="admin.accounts.user.password_set", obj=User.objects.get(pk=id))
        return response


class MembershipGrantForm(forms.ModelForm):
    """A role for a user, held where ``membership_place`` says (a missing place names its field)."""

    class Meta:
        model = Membership
        fields = ["user", "role", "organization", "location", "is_backup"]

    def clean(self):
        data = super().clean()
        if data.get("role"):
            try:
                data["organization"], data["location"] = membership_place(
                    role=data["role"], organization=data.get("organization"), location=data.get("location"))
            except MembershipPlaceMissing as missing:
                self.add_error(missing.field, str(missing))
        return data

    def validate_unique(self):
        """A role held before is given again (``membership_grant`` makes it active), not refused."""


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles are given with the add form and taken with the revoke action, both through the
    services; a membership itself is never edited."""

    form = MembershipGrantForm
    list_display = ["user", "role", "organization", "location", "is_backup", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["user", "organization", "location"]
    search_fields = ["user__username", "user__email", "organization__name", "location__name", "location__provider_pin"]
    autocomplete_fields = ["user", "organization", "location"]
    actions = ["revoke_memberships"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("accounts.change_membership")

    def save_model(self, request, obj, form, change):
        membership = membership_grant(user=obj.user, role=obj.role, organization=obj.organization,
                                      location=obj.location, is_backup=obj.is_backup, actor=request.user)
        obj.pk, obj._state.adding = membership.pk, False

    @admin.action(description=_("Revoke selected memberships"), permissions=["revoke"])
    def revoke_memberships(self, request, queryset):
        for membership in queryset:
            membership_revoke(membership=membership, actor=request.user)
        count = len(queryset)
        self.message_user(request, ngettext("%(count)s membership revoked.", "%(count)s memberships revoked.",
                                            count) % {"count": count}, messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Invitations are sent by the services (enrollment approval); admin shows them, read-only."""

    list_display = ["email", "role", "location", "organization", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    list_select_related = ["location", "organization"]
    search_fields = ["email", "location__name", "location__provider_pin", "organization__name"]
    exclude = ["nonce"]


@admin.register(PausedSignIn)
class PausedSignInAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Accounts whose sign-ins are paused now, after too many wrong passwords. Help desk agents
    and state staff lift a pause for someone who called (audited); a new password lifts it too."""

    list_display = ["username", "email", "first_name", "last_name", "failures", "paused_until"]
    search_fields = ["username", "email"]
    actions = ["lift_pauses"]

    def get_queryset(self, request):
        return signin_paused_accounts()

    @admin.display(description=_("failed attempts"))
    def failures(self, obj):
        return obj.failures

    @admin.display(description=_("paused until"))
    def paused_until(self, obj):
        return obj.paused_until

    def has_lift_permission(self, request):
        return request.user.has_perm("accounts.lift_signin_pause")

    @admin.action(description=_("Lift the pause on the selected accounts"), permissions=["lift"])
    def lift_pauses(self, request, queryset):
        accounts = list(queryset)
        for account in accounts:
            signin_failures_clear(user=account, actor=request.user)
        self.message_user(request, ngettext("Sign-in pause lifted for %(count)s account.",
                                            "Sign-in pause lifted for %(count)s accounts.",
                                            len(accounts)) % {"count": len(accounts)}, messages.SUCCESS)


class _PasswordChangeView(PasswordChangeView):
    form_class = AdminCurrentPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def password_change(request):
    """Django admin's page for changing one's own password (its template, at its address), with the
    current password checked through the sign-in lockout; admin's own checks it uncounted."""
    request.current_app = admin.site.name
    return _PasswordChangeView.as_view(success_url=reverse_lazy("admin:password_change_done"),
                                       extra_context=admin.site.each_context(request))(request)


# API tokens are issued and ended through cvms.accounts.tokens, audited; admin offers no way around that.
admin.site.unregister(AuthToken)
