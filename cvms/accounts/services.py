"""Users and their roles. ``membership_grant`` is the one way to give someone a role."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from cvms.accounts.models import GLOBAL_ROLES, LOCATION_ROLES, ORGANIZATION_ROLES, Membership, Role, User
from cvms.core.audit import audit_log

#: Roles that work in Django admin, and the models their group may view or change there.
STAFF_GROUPS = {
    Role.STATE_STAFF: ("State staff", ["view_auditlog", "view_organization", "change_organization",
                                       "view_location", "change_location", "view_recipient",
                                       "view_vaccineproduct", "view_inventorylot", "view_stockledgerentry",
                                       "view_immunization", "view_user", "view_membership",
                                       "view_recipientupload"]),
    Role.HELPDESK_AGENT: ("Help desk agents", ["view_auditlog", "view_organization", "view_location",
                                               "view_recipient", "change_recipient", "view_user",
                                               "view_membership", "view_recipientupload"]),
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


def _staff_group(role: Role) -> Group:
    name, codenames = STAFF_GROUPS[role]
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(Permission.objects.filter(codename__in=codenames))
    return group


def membership_grant(*, user: User, role: Role, organization=None, location=None, is_backup: bool = False,
                     actor=None) -> Membership:
    """Give ``user`` a role. Location roles take their organization from the location."""
    role = Role(role)
    if role in LOCATION_ROLES:
        if location is None:
            raise ValueError(f"{role.label} is held at a location")
        organization = location.organization
    elif role in ORGANIZATION_ROLES:
        if organization is None:
            raise ValueError(f"{role.label} is held at an organization")
        location = None
    elif role in GLOBAL_ROLES:
        organization = location = None
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
