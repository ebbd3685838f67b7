"""The error every domain service raises when one of its rules refuses a change."""


class ServiceError(Exception):
    """A rule refused the change; the message is for the person who asked."""
