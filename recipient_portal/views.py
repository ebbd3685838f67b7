from django.shortcuts import render
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.registry.choices import ImmunizationStatus
from recipient_portal.access import access_recipient_by_user


@require_GET
@role_required(Role.RECIPIENT)
def home(request):
    recipient = access_recipient_by_user(request.user)
    immunizations = recipient.immunizations.filter(status=ImmunizationStatus.COMPLETED).select_related(
        "lot__product", "location"
    ).order_by("administered_at")
    return render(request, "recipient_portal/home.html", {"recipient": recipient, "immunizations": immunizations})
