"""Users and their roles. ``membership_grant`` is the one way to give someone a role."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cvms.accounts.language import language_supported
from cvms.accounts.logins import normalize_login
from cvms.accounts.models import LOCATION_ROLES, ORGANIZATION_ROLES, Invitation, Membership, Role, User
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.core.outbox import outbox_enqueue

#: State staff edit the vaccine groups of Find My Group (cvms.eligibility; migration 0002 there).
STATE_STAFF_GROUP_PERMISSIONS = ["view_vaccinegroup", "add_vaccinegroup", "change_vaccinegroup",
                                 "view_groupcriterion", "add_groupcriterion", "change_groupcriterion",
                                 "delete_groupcriterion", "view_eligibilityanswers"]
#: Both act on requests about recipient records (cvms.recipients; migration 0012_register_* there).
REQUEST_PERMISSIONS = ["view_recipientrequest", "change_recipientrequest"]
#: Both write the help desk's knowledge base (helpdesk; migration 0002_hdkb_* there).
KB_PERMISSIONS = ["view_knowledgearticle", "add_knowledgearticle", "change_knowledgearticle"]
#: Both work help desk cases (the helpdesk app's models; its migration 0004_hdcases_* there).
CASE_PERMISSIONS = ["view_case", "change_case", "view_casemessage", "view_caseattachment"]
#: State staff schedule downtime notices (cvms.core; migration 0005_hdaccess_* there); agents see them.
DOWNTIME_PERMISSIONS = ["view_downtimenotice", "add_downtimenotice", "change_downtimenotice",
                        "delete_downtimenotice"]
#: Roles that work in Django admin, and the models their group may view or change there.
STAFF_GROUPS = {
    Role.STATE_STAFF: ("State staff", ["view_auditlog", "view_organization", "change_organization",
                                       "view_location", "change_location", "view_recipient",
                                       "view_vaccineproduct", "view_inventorylot", "view_stockledgerentry",
                                       "view_transfer", "view_immunization", "view_user", "view_membership",
                                       "view_recipientupload", "view_uploaderror",
                                       "view_agreementversion", "view_versionlocation",
                                       "view_redistributionagreement", "view_invitation", "view_pausedsignin",
                                       "lift_signin_pause", "view_locationsettings", "view_productsettings",
                                       "view_cvrsextract", "view_registrysubmission", "resend_registrysubmission",
                                       *STATE_STAFF_GROUP_PERMISSIONS, *REQUEST_PERMISSIONS, "change_recipient",
                                       *KB_PERMISSIONS, *CASE_PERMISSIONS,
                                       *DOWNTIME_PERMISSIONS]),
    Role.HELPDESK_AGENT: ("Help desk agents", ["view_auditlog", "view_organization", "view_location",
                                               "view_recipient", "change_recipient", "view_user",
                                               "view_membership", "view_recipientupload", "view_uploaderror",
                                               "view_transfer", "view_pausedsignin",
                                               "lift_signin_pause", *REQUEST_PERMISSIONS, *KB_PERMISSIONS,
                                               *CASE_PERMISSIONS, "view_downtimenotice"]),
}


def user_create(*, email: str, password: str | None = None, first_name: str = "", last_name: str = "",
                phone: str = "", preferred_language: str = "en", actor=None, verified: bool = False,
                username: str | None = None) -> User:
    """Create a login (username defaults to the email). ``verified`` marks the address confirmed."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, username=username, first_name=first_name, last_name=last_name, phone=phone,
            preferred_language=preferred_language,
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
        audit_log(actor=actor, action="accounts.user.created", obj=user,
                  changes={"username": user.username, "email": user.email})
    return user


def password_reset_complete(*, user: User, password: str) -> None:
    """Set the password chosen through a reset link. The link went to the account's own address
    (``ResetPasswordForm``), so following it proves that address."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_log(actor=user, action="accounts.user.password_reset", obj=user)
        address_proven(user=user, email=user.email, how="password_reset")


#: What follows an account's language besides the account itself (a recipient's record, so the
#: program's emails and texts follow), as the apps that own it register at start.
_LANGUAGE_FOLLOWERS: list = []


def user_language_follow(follower) -> None:
    """Called from an app's ``ready()``: ``follower(user=, language=, actor=)`` is called each time a
    user's language is set, changed or not, and must change nothing when its record agrees."""
    if follower not in _LANGUAGE_FOLLOWERS:
        _LANGUAGE_FOLLOWERS.append(follower)


def user_language_set(*, user: User, language: str | None, actor=None) -> None:
    """Make ``language`` the one the site and its emails and texts use for ``user`` (one the site
    does not offer changes nothing)."""
    if not language_supported(language):
        return
    previous = user.preferred_language
    with transaction.atomic():
        if language != previous:
            User.objects.filter(pk=user.pk).update(preferred_language=language)
            user.preferred_language = language
            audit_log(actor=actor, action="accounts.user.language_changed", obj=user,
                      changes={"preferred_language": [previous, language]})
        for follower in _LANGUAGE_FOLLOWERS:
            follower(user=user, language=language, actor=actor)


def _staff_group(role: Role) -> Group:
    name, codenames = STAFF_GROUPS[role]
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(Permission.objects.filter(codename__in=codenames))
    return group


class MembershipPlaceMissing(ServiceError):
    """The role is held at a place that was not given; ``field`` names it."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


def membership_place(*, role: Role, organization=None, location=None) -> tuple:
    """Where ``role`` is held, as ``(organization, location)``: a location role at a location and
    its organization, an organization role at an organization only, the others everywhere.
    Raises ``MembershipPlaceMissing`` when the place the role needs was not given."""
    role = Role(role)
    if role in LOCATION_ROLES:
        if location is None:
            raise MembershipPlaceMissing(_("Choose the location where this role is held."), field="location")
        return location.organization, location
    if role in ORGANIZATION_ROLES:
        if organization is None:
            raise MembershipPlaceMissing(_("Choose the organization where this role is held."),
                                         field="organization")
        return organization, None
    return None, None


def membership_grant(*, user: User, role: Role, organization=None, location=None, is_backup: bool = False,
                     actor=None) -> Membership:
    """Give ``user`` a role, held where ``membership_place`` says."""
    role = Role(role)
    organization, location = membership_place(role=role, organization=organization, location=location)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, role=role, organization=organization, location=location,
            defaults={"is_backup": is_backup},
        )
        if not created and not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        if role in STAFF_GROUPS:
            user.groups.add(_staff_group(role))
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        audit_log(actor=actor, action="accounts.membership.granted", obj=membership,
                  changes={"user": user.email, "role": str(role), "organization": organization,
                           "location": location, "is_backup": is_backup})
    return membership


def membership_revoke(*, membership: Membership, actor=None) -> None:
    updated = Membership.objects.filter(pk=membership.pk, is_active=True).update(is_active=False)
    if updated:
        audit_log(actor=actor, action="accounts.membership.revoked", obj=membership,
                  changes={"is_active": [True, False]})


# --- Invitations

class InvitationInvalid(Exception):
    """The invitation link cannot be used; the message says why, for the person who followed it."""


_INVITATION_SALT = "cvms.accounts.invitation"


def invitation_send(*, email: str, role: Role, location=None, organization=None, is_backup: bool = False,
                    first_name: str = "", last_name: str = "", language: str = "", actor=None) -> Invitation:
    """Invite ``email`` to hold ``role``. Someone registered with that address verified gets the
    role at once (the email tells them); anyone else gets a link to register. Sending again renews
    the link. ``language`` is the email's until the person has an account of their own."""
    role = Role(role)
    organization, location = membership_place(role=role, organization=organization, location=location)
    email = normalize_login(email)
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(
            email=email, role=role, organization=organization, location=location,
            accepted_at__isnull=True, revoked_at__isnull=True,
        ).first() or Invitation(email=email, role=role, organization=organization, location=location)
        invitation.is_backup = is_backup
        invitation.first_name, invitation.last_name = first_name.strip(), last_name.strip()
        if language_supported(language):
            invitation.language = language
        invitation.nonce = secrets.token_hex(16)
        invitation.invited_by = actor if getattr(actor, "is_authenticated", False) else None
        invitation.expires_at = now + datetime.timedelta(days=settings.CVMS_INVITATION_DAYS)
        invitation.save()
        audit_log(actor=actor, action="accounts.invitation.sent", obj=invitation,
                  changes={"email": email, "role": str(role), "location": location, "organization": organization})
        # Only an address someone has proven gets the role without the link: anyone can sign up
        # with an address that is not theirs, and never confirm it.
        existing = User.objects.filter(username=email, is_active=True, emailaddress__email=email,
                                       emailaddress__verified=True).first()
        if existing is not None:
            invitation_accept(invitation=invitation, user=existing)
        from cvms.accounts.tasks import send_invitation

        outbox_enqueue(task=send_invitation, args=(invitation.pk,))
    return invitation


def invitation_link(invitation: Invitation) -> str:
    token = signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_INVITATION_SALT)
    return settings.SITE_URL + reverse("invitation", args=[token])


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link is for; raises ``InvitationInvalid`` if it is forged, replaced,
    used, withdrawn or expired."""
    try:
        data = signing.loads(token, salt=_INVITATION_SALT)
    except signing.BadSignature:
        raise InvitationInvalid(_("This invitation link is not valid. Check that you copied all of it.")) from None
    invitation = Invitation.objects.select_related("location", "organization").filter(pk=data.get("i")).first()
    if invitation is not None and invitation.revoked_at:
        raise InvitationInvalid(_("This invitation was withdrawn on %(date)s. %(ask)s") % {
            "date": date_format(timezone.localtime(invitation.revoked_at), "DATE_FORMAT"),
            "ask": _invitation_ask_again(invitation)})
    if invitation is None or invitation.nonce != data.get("n"):
        raise InvitationInvalid(_("This invitation link has been replaced or withdrawn. Use the newest "
                                  "invitation email, or ask your Organization Administrator to send it again."))
    if invitation.accepted_at:
        raise InvitationInvalid(_("This invitation has already been accepted. Sign in to continue."))
    if invitation.expires_at <= timezone.now():
        if invitation.role == Role.ORG_COORDINATOR:
            raise InvitationInvalid(_("This invitation expired on %(date)s. %(ask)s") % {
                "date": date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
                "ask": _invitation_ask_again(invitation)})
        raise InvitationInvalid(_("This invitation has expired. Ask your Organization Administrator to send it "
                                  "again."))
    return invitation


def _invitation_ask_again(invitation: Invitation) -> str:
    if invitation.role == Role.ORG_COORDINATOR:
        return _("Ask the health department that invited your organization, or one of its Organization "
                 "Coordinators, to send a new invitation.")
    return _("Ask your Organization Administrator to send it again.")


def invitation_revoke(*, invitation: Invitation, actor=None) -> bool:
    """Withdraw an invitation nobody accepted yet: its link stops working at once. Returns whether
    this call withdrew it (an accepted or already withdrawn one stays as it is)."""
    now = timezone.now()
    withdrawn = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True,
                                          revoked_at__isnull=True).update(revoked_at=now)
    if withdrawn:
        invitation.revoked_at = now
        audit_log(actor=actor, action="accounts.invitation.revoked", obj=invitation,
                  changes={"email": invitation.email, "role": invitation.role, "revoked_at": now})
    return bool(withdrawn)


def invitation_is_for(*, invitation: Invitation, user: User) -> bool:
    """Whether ``user``'s address is the invited one: only they may accept."""
    return normalize_login(user.email) == normalize_login(invitation.email)


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Give ``user`` the invited role. The user must own the invited address; the invitation (its
    link, or an address already verified) proves it, so it is verified from now on."""
    if not invitation_is_for(invitation=invitation, user=user):
        raise InvitationInvalid(_("This invitation is for %(email)s. Sign out and follow the link again, or ask "
                                  "for an invitation to your own address.") % {"email": invitation.email})
    with transaction.atomic():
        address_proven(user=user, email=invitation.email, how="invitation")
        updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user)
        membership = membership_grant(user=user, role=invitation.role, organization=invitation.organization,
                                      location=invitation.location, is_backup=invitation.is_backup,
                                      actor=invitation.invited_by)
        if updated:
            invitation.refresh_from_db()
            audit_log(actor=user, action="accounts.invitation.accepted", obj=invitation,
                      changes={"user": user.email})
    return membership


def invitation_register(*, invitation: Invitation, first_name: str, last_name: str, password: str,
                        preferred_language: str = "en") -> User:
    """Register the invited person (their address is proven by the link) and accept.

    An account with the invited address that nobody proved (``account_claimable``: someone signed
    up with it and never confirmed it) becomes theirs: their password, names and language replace
    what it held, its other addresses go, and every session it had ends with the old password.
    Raises ``InvitationInvalid`` when the address belongs to a proven account, which signs in and
    accepts instead."""
    names = {"first_name": first_name.strip(), "last_name": last_name.strip()}
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(username=invitation.email).first()
        if existing is None:
            user = user_create(email=invitation.email, password=password, preferred_language=preferred_language,
                               **names)
        elif account_claimable(existing):
            user = _account_take_over(user=existing, invitation=invitation, password=password,
                                      preferred_language=preferred_language, **names)
        else:
            raise InvitationInvalid(_("An account with this email already exists. Sign in, then open this link "
                                      "again to accept."))
        invitation_accept(invitation=invitation, user=user)
    return user


def account_claimable(user: User) -> bool:
    """An active account whose own address was never verified: following a link sent to that
    address (an invitation, a password reset) proves more than its sign-up did."""
    from allauth.account.models import EmailAddress

    return user.is_active and not EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()


def _account_take_over(*, user: User, invitation: Invitation, password: str, first_name: str, last_name: str,
                       preferred_language: str) -> User:
    """Caller holds the user's row lock and has checked ``account_claimable``."""
    from allauth.account.models import EmailAddress

    others = EmailAddress.objects.filter(user=user).exclude(email=invitation.email)
    removed = sorted(others.values_list("email", flat=True))
    others.delete()
    user.first_name, user.last_name, user.phone = first_name, last_name, ""
    if language_supported(preferred_language):
        user.preferred_language = preferred_language
    user.set_password(password)  # a new password: the sessions made with the old one end
    user.save(update_fields=["first_name", "last_name", "phone", "preferred_language", "password"])
    audit_log(actor=user, action="accounts.user.taken_over_by_invitation", obj=user,
              changes={"invitation": invitation.pk, "email": invitation.email, "addresses_removed": removed})
    return user


def address_proven(*, user: User, email: str, how: str) -> None:
    """``user`` followed a link sent to ``email`` (``how``: "invitation", "password_reset"): it is
    their verified primary address from now on. allauth lets one account hold an address verified;
    a recipient's portal login, which signs in by username and never needs it, gives it up. If
    another kind of account holds it, ours stays as it is."""
    from allauth.account.models import EmailAddress

    email = normalize_login(email)
    if EmailAddress.objects.filter(user=user, email=email, verified=True).exists():
        return
    with transaction.atomic():
        holders = EmailAddress.objects.select_for_update().filter(email=email, verified=True).exclude(user=user)
        for recipient_login in User.objects.recipient_logins().filter(emailaddress__in=holders):
            EmailAddress.objects.filter(user=recipient_login, email=email).update(verified=False)
            audit_log(actor=user, action="accounts.user.address_unverified", obj=recipient_login,
                      changes={"email": email, "verified_by": user.pk})
        if holders.exists():
            return
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exclude(email=email).exists()
        address, _created = EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True}, create_defaults={"verified": True,
                                                                                   "primary": not has_primary})
        audit_log(actor=user, action="accounts.user.address_verified", obj=user, changes={"email": email, "by": how})


def invitation_email_send(*, invitation_id: int) -> int:
    from cvms.core.mail import send_templated_email

    invitation = Invitation.objects.select_related("location", "organization").get(pk=invitation_id)
    return send_templated_email(
        template_prefix="accounts/email/invitation", to=[invitation.email],
        language=invitation_language(invitation) or settings.LANGUAGE_CODE,
        context={"invitation": invitation, "registered": invitation.accepted_at is not None,
                 "link": invitation_link(invitation), "login_url": settings.SITE_URL + reverse("account_login"),
                 "site_url": settings.SITE_URL},
    )


def invitation_account(invitation: Invitation) -> User | None:
    """The account registered with the invited address, if there is one yet."""
    return User.objects.filter(username=normalize_login(invitation.email)).first()


def invitation_language(invitation: Invitation) -> str | None:
    """The invited person's language once they have an account, for the invitation email and the
    page its link opens; before, the one the inviter gave, or ``None`` (the site's default)."""
    account = invitation_account(invitation)
    return account.preferred_language if account else (invitation.language or None)
