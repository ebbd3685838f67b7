from django.conf import settings
from django.core.checks import Error, Tags, register

SIGN_IN_BACKEND = "cvms.accounts.backends.SignInBackend"


@register(Tags.security)
def check_sign_in_backend_comes_first(app_configs, **kwargs):
    """A backend listed before the lockout's would let passwords be tried without it."""
    if settings.AUTHENTICATION_BACKENDS[:1] != [SIGN_IN_BACKEND]:
        return [Error(f"AUTHENTICATION_BACKENDS must start with {SIGN_IN_BACKEND}, which applies the sign-in "
                      "lockout; a backend before it would bypass the lockout.", id="accounts.E001")]
    return []


PAUSE_LIFTER = "cvms.accounts.lockout.NewPasswordLiftsPause"


@register(Tags.security)
def check_a_new_password_lifts_a_pause(app_configs, **kwargs):
    """Without it, a password set by staff or a command would leave the account paused."""
    if PAUSE_LIFTER not in [validator.get("NAME") for validator in settings.AUTH_PASSWORD_VALIDATORS]:
        return [Error(f"AUTH_PASSWORD_VALIDATORS must list {PAUSE_LIFTER}: a new password lifts a sign-in pause "
                      "through it.", id="accounts.E002")]
    return []
