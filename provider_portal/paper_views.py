"""Placeholder of the clinic floor's paper pages: replaced by the engineer who builds them."""

from django.http import Http404


def not_built(request, **kwargs):
    raise Http404
