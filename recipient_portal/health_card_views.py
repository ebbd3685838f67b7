"""A recipient's proof of vaccination: their SMART Health Card as a ``.smart-health-card`` file,
signed when asked for, so a corrected record gives a corrected card."""

from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.core.errors import ServiceError
from cvms.health_cards.issue import FILE_CONTENT_TYPE, health_card_issue
from cvms.health_cards.pdf import health_card_pdf
from recipient_portal.access import access_recipient_by_user


@require_GET
@role_required(Role.RECIPIENT)
def card_file(request):
    recipient = access_recipient_by_user(request.user)
    try:
        card = health_card_issue(recipient=recipient, actor=request.user)
    except ServiceError as error:
        raise Http404(str(error)) from None
    response = HttpResponse(card.file_content(), content_type=FILE_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="covid-19-vaccination.smart-health-card"'
    return response


@require_GET
@role_required(Role.RECIPIENT)
def card_pdf(request):
    """The record and the card's QR code on paper, in the language the page is read in."""
    recipient = access_recipient_by_user(request.user)
    try:
        pdf = health_card_pdf(recipient=recipient, language=get_language(), actor=request.user)
    except ServiceError as error:
        raise Http404(str(error)) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="covid-19-vaccination-record.pdf"'
    return response
