"""Appointments: where clinics publish vaccination slots and recipients book them.

The appointments work fills this app: clinic schedules and their slots at a location, bookings
(one per slot seat, enforced by the database), reminders and check-in, with their services,
selectors, tasks, admin and tests here, like every other domain of the core. It holds no model yet.
"""
