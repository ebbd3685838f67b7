"""Who reads the dashboards."""

from cvms.accounts.models import Role

#: A location's dashboard: its Location Managers and Vaccine Coordinators.
LOCATION_DASHBOARD_ROLES = (Role.LOCATION_MANAGER, Role.VACCINE_COORDINATOR)
