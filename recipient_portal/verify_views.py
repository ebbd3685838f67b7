"""The public page where a venue checks a SMART Health Card: paste its ``shc:/`` code or upload its
file; it says whether the card is valid, why not, and whose doses it proves. No sign-in."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cvms.health_cards.verify import health_card_verify
from recipient_portal.verify_forms import VerifyCardForm


@require_http_methods(["GET", "POST"])
def verify(request):
    form = VerifyCardForm(request.POST or None, request.FILES or None)
    checks = health_card_verify(**form.card()) if request.method == "POST" and form.is_valid() else None
    return render(request, "recipient_portal/verify/verify.html", {"form": form, "checks": checks})
