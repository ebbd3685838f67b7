"""Demo appointments for ``manage.py seed_demo``: both Triangle Health clinics take online bookings
for the next four weeks (Raleigh first and second Pfizer doses, Durham first Moderna doses), and
one employee has a staff-booked appointment at Raleigh on the next open day, so the day list, the
public feed and the finder have something to show. Rosa, whose first dose was three weeks ago, is
due for her second."""

import datetime

from django.dispatch import receiver
from django.utils import timezone

from cvms.accounts.models import User
from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, Schedule, SelfScheduling, Slot
from cvms.appointments.services import appointment_book, schedule_create
from cvms.demo.seed import demo_seeded
from cvms.inventory.models import VaccineProduct
from cvms.organizations.models import Location
from cvms.recipients.choices import RecipientSource
from cvms.recipients.models import Recipient

DAYS = 28

#: (location, product key, dose, weekdays, opens, closes, minutes a slot, seats a slot)
SCHEDULES = [
    ("Triangle Health Raleigh Clinic", "pfizer-12-gray", 1, [0, 1, 2, 3, 4, 5], 9, 16, 15, 4),
    ("Triangle Health Raleigh Clinic", "pfizer-12-gray", 2, [0, 1, 2, 3, 4, 5], 9, 16, 15, 2),
    ("Triangle Health Durham Clinic", "moderna-12-red", 1, [0, 1, 2, 3, 4], 10, 15, 20, 3),
]


@receiver(demo_seeded)
def seed_appointments_demo(sender, logins, **kwargs):
    manager = User.objects.get(email="manager@example.com")
    today = timezone.localdate()
    for name, key, dose, weekdays, opens, closes, minutes, seats in SCHEDULES:
        location = Location.objects.get(name=name)
        SelfScheduling.objects.update_or_create(location=location, defaults={"enabled": True, "changed_by": manager})
        product = VaccineProduct.objects.get(key=key)
        if Schedule.objects.filter(location=location, product=product, dose_number=dose,
                                   last_day__gte=today).exists():
            continue
        schedule_create(actor=manager, location=location, product=product, dose_number=dose, weekdays=weekdays,
                        opens_at=datetime.time(opens), closes_at=datetime.time(closes), slot_minutes=minutes,
                        capacity=seats, first_day=today, last_day=today + datetime.timedelta(days=DAYS - 1))
    _book_an_employee(manager)


def _book_an_employee(manager):
    raleigh = Location.objects.get(name="Triangle Health Raleigh Clinic")
    employee = (Recipient.objects.loaded_at(raleigh).filter(source=RecipientSource.BULK_UPLOAD)
                .exclude(immunizations__isnull=False).order_by("-pk").first())
    if employee is None or Appointment.objects.filter(recipient=employee, status=c.AppointmentStatus.BOOKED).exists():
        return
    slot = (Slot.objects.filter(location=raleigh, schedule__dose_number=1, starts_at__gt=timezone.now())
            .order_by("starts_at").first())
    if slot is not None:
        appointment_book(recipient=employee, slot=slot, actor=manager, via=c.BookedVia.STAFF)
