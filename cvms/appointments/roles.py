"""Who may do what with a location's appointments. Services check these; the portal scopes its
access helpers with the same tuples, so a page never offers what the service would refuse."""

from cvms.accounts.models import Role
from cvms.immunizations.roles import CHECKIN_ROLES

#: Turn self-scheduling on or off, create schedules, block a day or change its seats.
SCHEDULE_ROLES = (Role.LOCATION_MANAGER,)
#: See the day's appointments, book for someone, cancel, reschedule, check in and mark no-shows.
DAY_LIST_ROLES = CHECKIN_ROLES
