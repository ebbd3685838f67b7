"""Schedules, slots and appointments shown in admin. Nothing is written here but through the
services: seats are counted only by bookings, schedules and days change on the location's
Schedules tab, and the one action, "Cancel", calls ``appointment_cancel``."""

import datetime

from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cvms.appointments.models import Appointment, Schedule, SelfScheduling, Slot
from cvms.appointments.selectors import day_bounds
from cvms.appointments.services import appointment_cancel
from cvms.core.admin import LargeTablePaginator, ReadOnlyAdminMixin
from cvms.core.errors import ServiceError
from cvms.recipients.models import Recipient


@admin.register(SelfScheduling)
class SelfSchedulingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["location", "enabled", "changed_by", "changed_at"]
    list_filter = ["enabled"]
    list_select_related = ["location", "changed_by"]
    search_fields = ["location__name", "location__provider_pin"]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["location", "product", "dose_number", "opens_at", "closes_at", "slot_minutes", "capacity",
                    "first_day", "last_day", "times", "booked"]
    list_select_related = ["location", "product"]
    search_fields = ["location__name", "location__provider_pin"]
    readonly_fields = ["times", "booked"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(slot_count=Count("slots"), booked_count=Sum("slots__booked"))

    @admin.display(description=_("times"))
    def times(self, schedule):
        return schedule.slot_count

    @admin.display(description=_("booked"))
    def booked(self, schedule):
        return schedule.booked_count or 0


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["starts_at", "location", "schedule", "capacity", "booked", "blocked"]
    list_filter = ["blocked"]
    list_select_related = ["location", "schedule__location", "schedule__product"]
    search_fields = ["location__name", "location__provider_pin"]
    paginator = LargeTablePaginator
    show_full_result_count = False


class DayFilter(admin.SimpleListFilter):
    """Appointments of yesterday, today or tomorrow, by their time."""

    title = _("day")
    parameter_name = "day"

    def lookups(self, request, model_admin):
        return [("-1", _("Yesterday")), ("0", _("Today")), ("1", _("Tomorrow"))]

    def queryset(self, request, queryset):
        if self.value() not in ("-1", "0", "1"):
            return queryset
        start, end = day_bounds(timezone.localdate() + datetime.timedelta(days=int(self.value())))
        return queryset.filter(slot__starts_at__gte=start, slot__starts_at__lt=end)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only but for "Cancel", which gives the seat back through the booking service."""

    list_display = ["recipient", "starts_at", "location", "dose_number", "status", "booked_via"]
    list_filter = ["status", DayFilter, "location"]
    list_select_related = ["recipient", "location", "slot"]
    search_fields = ["recipient__last_name"]
    search_help_text = _("A recipient's name, as \"first last\" or \"last\".")
    paginator = LargeTablePaginator
    show_full_result_count = False
    actions = ["cancel_appointments"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(recipient__in=Recipient.objects.search(term).values("pk")), False

    @admin.display(description=_("time"), ordering="slot__starts_at")
    def starts_at(self, appointment):
        return appointment.slot.starts_at

    def has_cancel_permission(self, request):
        return request.user.has_perm("appointments.change_appointment")

    @admin.action(description=_("Cancel the selected appointments"), permissions=["cancel"])
    def cancel_appointments(self, request, queryset):
        cancelled = 0
        for appointment in queryset:
            try:
                appointment_cancel(appointment=appointment, actor=request.user)
                cancelled += 1
            except ServiceError as refusal:
                self.message_user(request, f"{appointment}: {refusal}", messages.ERROR)
        self.message_user(request, ngettext("%(count)s appointment cancelled.", "%(count)s appointments cancelled.",
                                            cancelled) % {"count": cancelled}, messages.SUCCESS)
