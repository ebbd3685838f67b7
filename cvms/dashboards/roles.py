"""Who reads the dashboards."""

from cvms.accounts.models import Role

#: A location's dashboard: its Location Managers and Vaccine Coordinators.
LOCATION_DASHBOARD_ROLES = (Role.LOCATION_MANAGER, Role.VACCINE_COORDINATOR)
#: An organization's dashboard, the same figures across its locations: its Organization Administrators.
ORGANIZATION_DASHBOARD_ROLES = (Role.ORG_ADMIN,)
#: A local health department's dashboard, its counties' figures: its staff.
DEPARTMENT_DASHBOARD_ROLES = (Role.LHD_STAFF,)
#: The state's dashboard, every county's figures: the Immunization Branch.
STATE_DASHBOARD_ROLES = (Role.STATE_STAFF,)
