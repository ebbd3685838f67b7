"""Clinic schedules, the slots they open and the appointments booked in them. A slot's seats are
counted on its row and the database refuses more bookings than seats; a person holds at most one
booked appointment per dose."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cvms.appointments import choices as c
from cvms.inventory.models import VaccineProduct
from cvms.organizations.models import Location
from cvms.recipients.models import Recipient


class SelfScheduling(models.Model):
    """A location's choice to let recipients book its slots online (staff book at any location)."""

    location = models.OneToOneField(Location, primary_key=True, on_delete=models.CASCADE,
                                    related_name="self_scheduling")
    enabled = models.BooleanField(_("recipients book online"), default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("self-scheduling")
        verbose_name_plural = _("self-scheduling")

    def __str__(self):
        return f"{self.location}: {'on' if self.enabled else 'off'}"


class Schedule(models.Model):
    """Weekly opening hours of a location for one product and dose: slots of ``slot_minutes``
    from ``opens_at`` to ``closes_at`` on ``weekdays`` (0 Monday … 6 Sunday), from ``first_day``
    to ``last_day``, each with ``capacity`` seats."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="schedules")
    product = models.ForeignKey(VaccineProduct, on_delete=models.PROTECT, related_name="+", verbose_name=_("vaccine"))
    dose_number = models.PositiveSmallIntegerField(_("dose"))
    weekdays = ArrayField(models.PositiveSmallIntegerField(), verbose_name=_("days of the week"))
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes a slot"))
    capacity = models.PositiveSmallIntegerField(_("people a slot"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    closed_days = ArrayField(models.DateField(), default=list, blank=True, verbose_name=_("closed dates"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    #: When the schedule or its closed dates last changed (the public feed's ``_since``).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="schedule_closes_after_opening"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                                   name="schedule_slot_5_to_240_minutes"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="schedule_capacity_positive"),
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="schedule_days_in_order"),
            models.CheckConstraint(condition=Q(dose_number__gte=1, dose_number__lte=6), name="schedule_dose_1_6"),
        ]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self):
        return f"{self.location} {self.opens_at:%H:%M}–{self.closes_at:%H:%M} ({self.product}, dose {self.dose_number})"


class Slot(models.Model):
    """One bookable time. ``booked`` counts its booked appointments; the database refuses more
    than ``capacity``."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="slots")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("seats"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)
    #: Blocked for the day by the location: no new bookings, and a cancelled seat does not reopen.
    blocked = models.BooleanField(_("blocked"), default=False)
    #: When a seat was last taken or given back, or the slot changed (the public feed's ``_since``).
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(booked__gte=0, booked__lte=F("capacity")), name="slot_never_overbooked"),
            models.UniqueConstraint(fields=["schedule", "starts_at"], name="slot_one_per_schedule_time"),
        ]
        indexes = [models.Index(fields=["location", "starts_at"], name="slot_location_time_idx"),
                   models.Index(fields=["updated_at"], name="slot_updated_idx")]
        ordering = ["starts_at"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")

    def __str__(self):
        return f"{self.location} {self.starts_at:%Y-%m-%d %H:%M} ({self.booked}/{self.capacity})"

    @property
    def open_seats(self) -> int:
        return 0 if self.blocked else self.capacity - self.booked


class Appointment(models.Model):
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="appointments")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    dose_number = models.PositiveSmallIntegerField(_("dose"))
    status = models.CharField(_("status"), max_length=12, choices=c.AppointmentStatus.choices,
                              default=c.AppointmentStatus.BOOKED)
    booked_via = models.CharField(_("booked"), max_length=8, choices=c.BookedVia.choices)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    #: The appointment this one replaced (a reschedule).
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: The day-before reminder: claimed once by one sender (``reminder_sent_at``), so a retry never sends twice.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    #: The confirmation and cancellation emails, each claimed the same way.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dose_number"], condition=Q(status=c.AppointmentStatus.BOOKED),
                                    name="appointment_one_booked_per_dose"),
        ]
        indexes = [models.Index(fields=["slot", "status"], name="appointment_slot_idx")]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self):
        return f"{self.recipient} at {self.slot}"


class DoseReminder(models.Model):
    """The "your next dose is due" email for one recipient and dose: the row is the claim (one per
    recipient and dose), so a retried or doubled run never sends it twice."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="+")
    dose_number = models.PositiveSmallIntegerField(_("dose"))
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: Why it never will be sent (an address the mail server refuses for good), for the help desk.
    failure = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "dose_number"], name="dose_reminder_once")]
        verbose_name = _("next-dose reminder")
        verbose_name_plural = _("next-dose reminders")

    def __str__(self):
        return f"{self.recipient} dose {self.dose_number}"
