"""Who may do what on the clinic floor. Services check these; the portal and the API scope their
access helpers with the same tuples."""

from cvms.accounts.models import Role
from cvms.inventory.roles import STATE_ROLES

#: Give vaccine, record it, correct or mark a record entered in error.
ADMINISTER_ROLES = (Role.LOCATION_MANAGER, Role.VACCINE_COORDINATOR, Role.VACCINATOR)
#: Find recipients, register walk-ins and check people in (everyone who works a location).
CHECKIN_ROLES = (*ADMINISTER_ROLES, Role.FRONT_DESK)
#: Read the location's account history (every dose given there) and export it.
HISTORY_ROLES = (*ADMINISTER_ROLES, *STATE_ROLES)
