"""Appointments: where clinics publish vaccination slots and recipients book them.

Clinic schedules and the slots they open at a location, and bookings (never more than a slot's
seats, enforced by the database; one booked appointment per person and dose), with their services,
selectors and tests here, like every other domain of the core. Reminders, the day lists, online
booking and the public availability feed build on them.
"""
