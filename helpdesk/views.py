from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cvms.accounts.models import Role
from cvms.accounts.selectors import user_has_role


@require_GET
def home(request):
    """Public: how to get help. Help desk agents also get their work links (cases are worked in admin)."""
    return render(request, "helpdesk/home.html", {
        "is_agent": user_has_role(request.user, Role.HELPDESK_AGENT),
        "generic_code": settings.CVMS_GENERIC_HELPDESK_CODE,
        "pin_prefix": settings.CVMS_PIN_PREFIX,
        "recipient_phone": settings.CVMS_RECIPIENT_HELP_PHONE,
    })
