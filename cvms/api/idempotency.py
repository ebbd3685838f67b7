"""The ``Idempotency-Key`` header every API write takes: a retry with the same key answers with the
first record, and each caller's keys are kept apart from every other caller's."""

import re

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

KEY_PATTERN = r"\A[A-Za-z0-9._:-]{1,64}\Z"
_KEY = re.compile(KEY_PATTERN)


def key_header(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
        description=f"New for each {what} (up to 64 letters, digits and . _ : -); a retry with the same key and "
                    f"body answers with the first {what}.",
    )


def idempotency_key(request) -> str:
    """The caller's idempotency key, scoped to the caller."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not _KEY.match(key):
        raise ValidationError({"Idempotency-Key": [_("Send an Idempotency-Key header, new for each movement: up "
                                                     "to 64 letters, digits, dots, colons, hyphens or underscores.")]})
    return scoped_key(request, key)


def scoped_key(request, key: str) -> str:
    """``key`` kept apart from every other caller's keys."""
    return f"api:{request.user.pk}:{key}"
