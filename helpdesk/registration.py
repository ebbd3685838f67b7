"""Registering for the help desk (FAQ 41): a name, a business email and a registration code (an
active location's Provider PIN, or the generic code for providers not yet enrolled). The account
gets the Help Desk requester role and an emailed user ID and temporary password; someone who
already has an account is emailed to sign in with it, and the page answers both the same way."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from cvms.accounts.lockout import signin_attempt_begin, signin_attempt_failed, signin_attempt_passed
from cvms.accounts.logins import normalize_login
from cvms.accounts.models import Role, User
from cvms.accounts.services import membership_grant, user_create
from cvms.accounts.temporary import temporary_password_issue
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.core.mail import send_templated_email
from cvms.core.outbox import outbox_enqueue
from cvms.organizations.selectors import location_by_pin, pin_normalize
from helpdesk.registration_models import RequesterRegistration

_INTEGRATION = "help desk registration"


class RegistrationRefused(ServiceError):
    """The registration cannot go ahead; ``field`` names the field at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def registration_code_check(*, code: str, client_ip: str | None):
    """The location whose Provider PIN ``code`` is, or None for the generic code. A wrong code is
    a guess: it counts in the sign-in lockout for this address (``SignInPaused`` once over)."""
    attempt = signin_attempt_begin(login=f"helpdesk-code:{client_ip or 'unknown'}", accounts=[], client_ip=client_ip)
    typed = pin_normalize(code)
    if typed and constant_time_compare(typed, pin_normalize(settings.CVMS_GENERIC_HELPDESK_CODE)):
        signin_attempt_passed(attempt=attempt)
        return None
    location = location_by_pin(code)
    if location is None:
        signin_attempt_failed(attempt=attempt)
        raise RegistrationRefused(_("This registration code is not a Provider PIN of an enrolled location. Check "
                                    "the PIN on your packing list, or use the generic code for providers not "
                                    "yet enrolled."), field="code")
    signin_attempt_passed(attempt=attempt)
    return location


def requester_register(*, first_name: str, last_name: str, email: str, code: str, language: str,
                       client_ip: str | None) -> None:
    """Register a help desk requester, or email someone who already has an account to sign in
    with it (the caller answers both the same way). Raises ``RegistrationRefused`` for a wrong
    code and ``SignInPaused`` when this address made too many wrong guesses."""
    location = registration_code_check(code=code, client_ip=client_ip)
    email = normalize_login(email)
    registered = not User.objects.for_login(email).exists()
    if registered:
        try:
            _requester_create(first_name=first_name, last_name=last_name, email=email, location=location,
                              language=language)
        except IntegrityError:  # the same address registered a moment ago
            registered = False
    if not registered:
        from helpdesk.tasks import send_requester_already_registered

        outbox_enqueue(task=send_requester_already_registered, args=(email, language))


@transaction.atomic
def _requester_create(*, first_name: str, last_name: str, email: str, location, language: str) -> User:
    user = user_create(email=email, first_name=first_name.strip(), last_name=last_name.strip(),
                       preferred_language=language,
                       # The address gets the only copy of the password: nobody else can use the account.
                       verified=True)
    membership_grant(user=user, role=Role.HELPDESK_REQUESTER)
    registration = RequesterRegistration.objects.create(user=user, location=location, generic_code=location is None)
    audit_log(integration=_INTEGRATION, action="helpdesk.requester.registered", obj=user,
              changes={"location": location, "generic_code": registration.generic_code})
    from helpdesk.tasks import send_requester_credentials

    outbox_enqueue(task=send_requester_credentials, args=(user.pk,))
    return user


def requester_credentials_send(*, user_id: int) -> int:
    """Email the Help Desk user ID and a new temporary password, once per registration (a retry
    after the email failed issues another: the first was never read)."""
    with transaction.atomic():
        registration = (RequesterRegistration.objects.select_for_update().select_related("user")
                        .filter(user_id=user_id, credentials_sent_at__isnull=True).first())
        if registration is None:
            return 0
        user = registration.user
        password = temporary_password_issue(user=user, integration=_INTEGRATION)
        RequesterRegistration.objects.filter(pk=registration.pk).update(credentials_sent_at=timezone.now())
        return send_templated_email(
            template_prefix="helpdesk/email/credentials", to=[user.email], language=user.preferred_language,
            context={"user": user, "password": password, "hours": settings.CVMS_TEMPORARY_PASSWORD_HOURS,
                     "login_url": settings.SITE_URL + reverse("account_login")})


def requester_already_registered_send(*, email: str, language: str) -> int:
    """Tell the owner of ``email`` that they already have an account and may sign in with it."""
    return send_templated_email(
        template_prefix="helpdesk/email/already_registered", to=[email], language=language,
        context={"email": email, "login_url": settings.SITE_URL + reverse("account_login"),
                 "reset_url": settings.SITE_URL + reverse("account_reset_password")})
