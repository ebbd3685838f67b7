"""Who reads the dashboards."""

from cvms.accounts.models import Role

#: A location's dashboard: its Location Managers and Vaccine Coordinators.
LOCATION_DASHBOARD_ROLES = (Role.LOCATION_MANAGER, Role.VACCINE_COORDINATOR)
#: An organization's dashboard, the same figures across its locations: its Organization Administrators.
ORGANIZATION_DASHBOARD_ROLES = (Role.ORG_ADMIN,)
