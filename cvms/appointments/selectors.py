"""Reads of appointments that other places need."""

import datetime


def appointments_to_check_in(*, location, day: datetime.date) -> list:
    """The appointments booked at ``location`` on ``day`` whose people have not checked in yet, for
    the check-in page's "Today's appointments" list. Appointments do not exist yet: the appointments
    work fills this in (each item with its ``recipient`` and ``starts_at``), and the page shows the
    list once it holds any."""
    return []
