"""The error every domain service raises when one of its rules refuses a change."""


class ServiceError(Exception):
    """A rule refused the change; the message is for the person who asked, ``field`` the form field
    (or API field) it is about, if one, so a form can show the message beside that field."""

    def __init__(self, message="", field: str = ""):
        super().__init__(message)
        self.field = field
