"""The migration history of the former registry app, and nothing else.

Its models moved to one app per domain (``organizations``, ``recipients``, ``inventory``,
``immunizations``) with their tables, constraints and triggers where they were (``registry_…``).
Django still needs this app installed: databases created before the move recorded its migrations,
and the other apps' first migrations depend on them. The last one (0009) hands the models over
to their new apps in Django's state only; no table moves.
"""
