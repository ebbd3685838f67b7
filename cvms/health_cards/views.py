from django.http import JsonResponse
from django.views.decorators.http import require_GET

from cvms.health_cards.keys import published_jwks


@require_GET
def jwks(request):
    """The issuer's public keys, for any verifier on any site (CORS open); no private part."""
    response = JsonResponse(published_jwks())
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response
