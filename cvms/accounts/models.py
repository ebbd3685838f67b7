from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cvms.accounts.logins import normalize_login, recipient_username_pattern
from cvms.core.validators import validate_mail_address


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return normalize_login(email or "")

    def _create(self, email, password, username=None, **extra):
        if not email:
            raise ValueError("Users must have an email address")
        email = self.normalize_email(email)
        user = self.model(email=email, username=normalize_login(username or email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(username=normalize_login(username))

    def for_login(self, login: str):
        """The users a typed login names: the one whose username it is first, then those whose
        email it is (recipients of one family share an email). Exact match on stored values."""
        login = normalize_login(login)
        return (self.filter(Q(username=login) | Q(email=login))
                .order_by(Case(When(username=login, then=Value(0)), default=Value(1)), "pk"))

    def recipient_logins(self):
        """Recipients' portal logins: they sign in with their username and need no verified address."""
        return self.filter(username__regex=recipient_username_pattern(), memberships__role=Role.RECIPIENT)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in, with their email or username. One login can hold roles at several
    organizations and locations.

    Staff and providers sign up with an email, which becomes their username. Recipients loaded in
    bulk may share an email (a family, say), so email is not unique; their username is the email
    followed by ``CVMS_RECIPIENT_USERNAME_SUFFIX`` (``pat@example.com.covid19vaccine``).
    """

    username = models.CharField(_("username"), max_length=300, unique=True)
    email = models.EmailField(_("email address"), max_length=254, validators=[validate_mail_address])
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=15, blank=True, help_text=_("Digits only, e.g. 9195555555."))
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    #: Set while the password is a temporary one the system emailed: it stops working then, and
    #: signing in with it leads to choosing a permanent one before anything else.
    password_expires_at = models.DateTimeField(_("temporary password expires"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.CheckConstraint(condition=Q(phone__regex=r"^[0-9]*$"), name="user_phone_digits"),
        ]
        indexes = [models.Index(fields=["email"], name="user_email_idx")]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.username

    @classmethod
    def normalize_username(cls, username):
        return normalize_login(username or "")

    def clean(self):
        super().clean()  # normalizes the username
        self.email = normalize_login(self.email or "")

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email


class Role(models.TextChoices):
    STATE_STAFF = "state_staff", _("Immunization Branch staff")
    LHD_STAFF = "lhd_staff", _("Local Health Department staff")
    ORG_ADMIN = "org_admin", _("Organization Administrator")
    VACCINE_COORDINATOR = "vaccine_coordinator", _("Vaccine Coordinator")
    LOCATION_MANAGER = "location_manager", _("Healthcare Location Manager")
    VACCINATOR = "vaccinator", _("Healthcare Provider (vaccinator)")
    FRONT_DESK = "front_desk", _("Front Desk")
    ORG_COORDINATOR = "org_coordinator", _("Organization Coordinator")
    RECIPIENT = "recipient", _("Recipient")
    HELPDESK_AGENT = "helpdesk_agent", _("Help Desk Agent")
    HELPDESK_REQUESTER = "helpdesk_requester", _("Help Desk requester")


#: Roles held across the whole jurisdiction, with no organization or location.
GLOBAL_ROLES = frozenset({Role.STATE_STAFF, Role.HELPDESK_AGENT, Role.HELPDESK_REQUESTER, Role.RECIPIENT})
#: Roles held at one organization.
ORGANIZATION_ROLES = frozenset({Role.ORG_ADMIN, Role.ORG_COORDINATOR, Role.LHD_STAFF})
#: Roles held at one location (the organization is the location's).
LOCATION_ROLES = frozenset({Role.VACCINE_COORDINATOR, Role.LOCATION_MANAGER, Role.VACCINATOR, Role.FRONT_DESK})
#: Roles that work in the Provider Portal.
PROVIDER_ROLES = LOCATION_ROLES


def _values(roles):
    return sorted(str(r) for r in roles)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_roles(self, *roles):
        return self.filter(role__in=[str(r) for r in roles])


class Membership(models.Model):
    """A role a user holds, at an organization, at a location, or jurisdiction-wide."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    location = models.ForeignKey(
        "organizations.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    is_backup = models.BooleanField(
        _("back-up"), default=False, help_text=_("A back-up (rather than primary) Vaccine Coordinator.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=_values(GLOBAL_ROLES), organization__isnull=True, location__isnull=True)
                    | Q(role__in=_values(ORGANIZATION_ROLES), organization__isnull=False, location__isnull=True)
                    | Q(role__in=_values(LOCATION_ROLES), organization__isnull=False, location__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="membership_backup_only_for_coordinators",
                condition=Q(is_backup=False) | Q(role=Role.VACCINE_COORDINATOR),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organization", "location"],
                nulls_distinct=False,
                name="membership_unique",
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        where = self.location or self.organization or _("jurisdiction")
        return f"{self.user} — {self.get_role_display()} @ {where}"


class Invitation(models.Model):
    """An emailed invitation to register and hold ``role`` (at a location or organization).

    The link is signed with the site's secret and names ``nonce``, which changes when the
    invitation is sent again, so only the newest link works and a copy of the database holds no
    usable link. Following the link proves the address, so no separate verification."""

    email = models.EmailField(_("email"), validators=[validate_mail_address])
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="invitations")
    location = models.ForeignKey("organizations.Location", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="invitations")
    is_backup = models.BooleanField(_("back-up"), default=False)
    nonce = models.CharField(max_length=32, editable=False)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    #: The invited person's language before they have an account: the email's and the link page's.
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True, default="")


    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="invitation_scope_matches_role",
                condition=(
                    Q(role__in=_values(ORGANIZATION_ROLES), organization__isnull=False, location__isnull=True)
                    | Q(role__in=_values(LOCATION_ROLES), organization__isnull=False, location__isnull=False)
                ),
            ),
            # One open invitation per person and role at a place: a second approval re-sends it.
            models.UniqueConstraint(
                Lower("email"), "role", "organization", "location", name="invitation_open_unique",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True), nulls_distinct=False,
            ),
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} — {self.get_role_display()} @ {self.location or self.organization}"


class SignInAttempt(models.Model):
    """A password sign-in not known to have succeeded. Written (and committed) before the password
    is checked, so sign-ins running side by side count each other; deleted when the password was
    right, kept when it was wrong or the request died. Counted against each account the login
    names (the typed login when it names none), on the browser's device budget when its device
    cookie vouches for them, and per client address, over the pause window
    (``cvms.accounts.lockout``); older rows are pruned."""

    login = models.CharField(_("login"), max_length=320, help_text=_("As typed, normalized."))
    accounts = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("accounts"),
                          help_text=_("The accounts whose password this attempt checked."))
    device = models.CharField(_("device"), max_length=32, blank=True, default="",
                              help_text=_("The browser's device cookie, when it vouched for the accounts."))
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["login", "at"], name="signin_attempt_login_idx"),
            models.Index(fields=["client_ip", "at"], name="signin_attempt_ip_idx"),
            GinIndex(fields=["accounts"], name="signin_attempt_accounts_idx"),
        ]
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self):
        return f"{self.login} from {self.client_ip or '?'} at {self.at:%Y-%m-%d %H:%M}"


class SignInClient(models.Model):
    """An address a user has signed in from. Attempts for that user from that address are not held
    back by the per-address ceiling, so made-up logins from a clinic's address cannot lock its
    staff out."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    client_ip = models.GenericIPAddressField(_("client address"))
    last_seen_at = models.DateTimeField(_("last signed in"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client_ip"], name="signin_client_unique")]
        indexes = [models.Index(fields=["last_seen_at"], name="signin_client_seen_idx")]
        verbose_name = _("known sign-in address")
        verbose_name_plural = _("known sign-in addresses")

    def __str__(self):
        return f"{self.user} from {self.client_ip}"


class PausedSignIn(User):
    """An account whose sign-ins are paused after too many wrong passwords: help desk agents and
    state staff see them in admin and may lift a pause (``lockout.signin_failures_clear``)."""

    class Meta:
        proxy = True
        verbose_name = _("paused sign-in")
        verbose_name_plural = _("paused sign-ins")
        permissions = [("lift_signin_pause", _("Can lift a sign-in pause"))]
