"""The public page where a venue checks a SMART Health Card: scan its QR code with the device's
camera, paste its ``shc:/`` code or upload its file; it says whether the card is valid, why not,
and whose doses it proves. No sign-in. Each check verifies signatures, so one client address may
check ``CVMS_VERIFY_CHECKS_PER_MINUTE`` cards a minute and ``CVMS_VERIFY_CHECKS_PER_HOUR`` an hour."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from cvms.core.client_ip import client_ip
from cvms.health_cards.verify import health_card_verify
from recipient_portal.verify_forms import VerifyCardForm


@require_http_methods(["GET", "POST"])
def verify(request):
    if request.method == "POST" and _checked_too_often(request):
        response = render(request, "recipient_portal/verify/limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    form = VerifyCardForm(request.POST or None, request.FILES or None)
    checks = health_card_verify(**form.card()) if request.method == "POST" and form.is_valid() else None
    return render(request, "recipient_portal/verify/verify.html", {"form": form, "checks": checks})


def _checked_too_often(request) -> bool:
    """Both windows count every check, so a refused one in the minute still counts in the hour."""
    def key(_group, request):
        return client_ip(request) or "unknown"

    per_minute = is_ratelimited(request, group="recipient_portal.verify.minute", key=key, increment=True,
                                rate=f"{settings.CVMS_VERIFY_CHECKS_PER_MINUTE}/m")
    per_hour = is_ratelimited(request, group="recipient_portal.verify.hour", key=key, increment=True,
                              rate=f"{settings.CVMS_VERIFY_CHECKS_PER_HOUR}/h")
    return per_minute or per_hour
