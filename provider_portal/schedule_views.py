"""Placeholder: the appointments work replaces this module."""

from django.http import Http404


def not_built(request, **kwargs):
    raise Http404
